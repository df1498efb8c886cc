package io.ksf.cli;

import java.util.UUID;

/**
 * Sample pin posts as JSON, with user, geo and pin fields as in the Pinterest-style seed pipeline. One in every
 * {@code malformedEvery} is broken: alternately cut-off JSON and a post without its index.
 */
final class SamplePosts {
    private static final String[] CATEGORIES = {"art", "travel", "food", "diy", "fashion", "tattoos"};
    private static final String[] COUNTRIES = {"GB", "FR", "US", "IN", "BR", "JP"};

    private SamplePosts() {
    }

    static String post(long n, int malformedEvery) {
        if (malformedEvery > 0 && n % malformedEvery == malformedEvery - 1) {
            return (n / malformedEvery) % 2 == 0 ? "{\"index\": " + n + ", \"title\": \"cut off" : "{\"title\": \"no index\"}";
        }
        return "{\"index\":" + n + ",\"unique_id\":\"" + UUID.nameUUIDFromBytes(Long.toString(n).getBytes())
                + "\",\"title\":\"Pin number " + n + "\",\"category\":\"" + CATEGORIES[(int) (n % CATEGORIES.length)]
                + "\",\"follower_count\":" + (n * 37 % 100_000) + ",\"geo\":{\"latitude\":" + (n % 180 - 90)
                + ".5,\"longitude\":" + (n % 360 - 180) + ".25,\"country\":\"" + COUNTRIES[(int) (n % COUNTRIES.length)]
                + "\"},\"user\":{\"first_name\":\"User\",\"last_name\":\"" + n % 977 + "\",\"age\":" + (18 + n % 60)
                + "}}";
    }
}
