package io.ksf.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Sample pin posts as JSON of about a given size, with varied content so that compression does not flatter. */
public final class Samples {
    private static final String[] COUNTRIES = {"GB", "FR", "US", "IN", "BR", "JP"};
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private Samples() {
    }

    static String post(long n, int size) {
        String head = "{\"index\":" + n + ",\"unique_id\":\"" + new java.util.UUID(n * 31, n) + "\",\"follower_count\":"
                + (n * 37 % 100_000) + ",\"geo\":{\"latitude\":" + (n % 180 - 90) + ".5,\"longitude\":"
                + (n % 360 - 180) + ".25,\"country\":\"" + COUNTRIES[(int) (n % COUNTRIES.length)]
                + "\"},\"user\":{\"name\":\"user" + n % 977 + "\",\"age\":" + (18 + n % 60) + "},\"title\":\"";
        StringBuilder out = new StringBuilder(size + 16).append(head);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (out.length() < size - 2) {
            out.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return out.append("\"}").toString();
    }

    public static byte[] postBytes(long n, int size) {
        return post(n, size).getBytes(StandardCharsets.UTF_8);
    }

    /** The same post as one CSV row of its flat fields. */
    static String csv(long n) {
        return n + "," + new java.util.UUID(n * 31, n) + "," + (n * 37 % 100_000) + "," + COUNTRIES[(int) (n % 6)]
                + ",\"user " + n % 977 + "\"";
    }
}
