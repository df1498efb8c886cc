package io.ksf.cli;

import io.ksf.spi.KsfRecord;
import io.ksf.spi.PartitionListener;
import io.ksf.spi.Positions;
import io.ksf.spi.Source;
import io.ksf.spi.TopicPartition;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sample pin posts as JSON (user, geo and pin fields, as the Pinterest-style seed pipeline has), spread over the
 * partitions of one topic; one in every {@code malformedEvery} is broken JSON or lacks a required field.
 */
final class SamplePosts implements Source {
    static final String TOPIC = "pins";

    private final long total;
    private final int partitions;
    private final int malformedEvery;
    private final Map<TopicPartition, Long> committed = new ConcurrentHashMap<>();
    private long produced;

    SamplePosts(long total, int partitions, int malformedEvery) {
        this.total = total;
        this.partitions = partitions;
        this.malformedEvery = malformedEvery;
    }

    /** The value of the n-th post: valid JSON unless n is a multiple of the malformed interval. */
    static String post(long n, int malformedEvery) {
        if (malformedEvery > 0 && n % malformedEvery == malformedEvery - 1) {
            return (n / malformedEvery) % 2 == 0 ? "{\"index\": " + n + ", \"title\": \"cut off" : "{\"title\": \"no index\"}";
        }
        return "{\"index\":" + n + ",\"unique_id\":\"" + java.util.UUID.nameUUIDFromBytes(Long.toString(n).getBytes())
                + "\",\"title\":\"Pin number " + n + "\",\"category\":\"" + CATEGORIES[(int) (n % CATEGORIES.length)]
                + "\",\"follower_count\":" + (n * 37 % 100_000) + ",\"geo\":{\"latitude\":" + (n % 180 - 90)
                + ".5,\"longitude\":" + (n % 360 - 180) + ".25,\"country\":\"" + COUNTRIES[(int) (n % COUNTRIES.length)]
                + "\"},\"user\":{\"first_name\":\"User\",\"last_name\":\"" + n % 977 + "\",\"age\":" + (18 + n % 60)
                + "}}";
    }

    private static final String[] CATEGORIES = {"art", "travel", "food", "diy", "fashion", "tattoos"};
    private static final String[] COUNTRIES = {"GB", "FR", "US", "IN", "BR", "JP"};

    @Override
    public void open(PartitionListener listener) {
        List<TopicPartition> all = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            all.add(new TopicPartition(TOPIC, p));
        }
        listener.onAssigned(all);
    }

    @Override
    public List<KsfRecord> poll(Duration timeout) {
        List<KsfRecord> batch = new ArrayList<>(500);
        while (produced < total && batch.size() < 500) {
            long n = produced++;
            batch.add(KsfRecord.of(TOPIC, (int) (n % partitions), n / partitions, System.currentTimeMillis(), null,
                    post(n, malformedEvery).getBytes(StandardCharsets.UTF_8), List.of()));
        }
        return batch;
    }

    @Override
    public void commit(Positions positions) {
        committed.putAll(positions.asMap());
    }

    Positions committed() {
        return Positions.of(committed);
    }

    @Override
    public void close() {
    }
}
