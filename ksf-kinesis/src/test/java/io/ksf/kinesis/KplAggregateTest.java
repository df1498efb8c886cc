package io.ksf.kinesis;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Aggregates as npm's aws-kinesis-agg 4.2.8 wrote them, split; broken ones refused with the reason. */
class KplAggregateTest {
    /** pk1/hello-1, pk2/hello-2, pk3/hello-3. */
    private static final byte[] THREE = HexFormat.of().parseHex("f3899ac20a03706b310a03706b320a03706b33"
            + "1a0b08001a0768656c6c6f2d311a0b08011a0768656c6c6f2d321a0b08021a0768656c6c6f2d334023f9c57e66726be2ff4d2"
            + "03f93a0ca");
    /** pk1/hello-1, pk2 with explicit hash key 12345/hello-2, pk1/hello-3. */
    private static final byte[] WITH_HASH_KEY = Base64.getDecoder().decode("84mawgoDcGsxCgNwazISBTEyMzQ1GgsIABoHaGVs"
            + "bG8tMRoNCAEQABoHaGVsbG8tMhoLCAAaB2hlbGxvLTM0Izajdqwjd/NUhmw2H4xH");

    private static List<String> described(List<KplAggregate.UserRecord> users) {
        return users.stream().map(u -> u.partitionKey() + "/" + u.explicitHashKey() + "/"
                + new String(u.data(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void anAggregateIsItsUserRecordsInOrderWithTheirKeys() throws Exception {
        assertThat(KplAggregate.isAggregate(THREE)).isTrue();
        assertThat(described(KplAggregate.split(THREE)))
                .containsExactly("pk1/null/hello-1", "pk2/null/hello-2", "pk3/null/hello-3");
        assertThat(described(KplAggregate.split(WITH_HASH_KEY)))
                .containsExactly("pk1/null/hello-1", "pk2/12345/hello-2", "pk1/null/hello-3");
        assertThat(KplAggregate.isAggregate("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(KplAggregate.isAggregate(new byte[] {(byte) 0xF3, (byte) 0x89})).isFalse();
    }

    @Test
    void aBrokenAggregateIsRefusedWithTheReason() throws Exception {
        byte[] badDigest = THREE.clone();
        badDigest[badDigest.length - 3] ^= 0x10;
        assertThatThrownBy(() -> KplAggregate.split(badDigest)).isInstanceOf(KplAggregate.CorruptException.class)
                .hasMessageContaining("MD5 does not match");
        byte[] changedData = THREE.clone();
        changedData[30] ^= 0x01;
        assertThatThrownBy(() -> KplAggregate.split(changedData)).hasMessageContaining("MD5 does not match");
        // cut short inside the last record, with a digest that matches what is left: the protobuf itself is broken
        byte[] truncated = withDigest(Arrays.copyOfRange(THREE, 4, THREE.length - 16 - 4));
        assertThatThrownBy(() -> KplAggregate.split(truncated)).hasMessageContaining("cut short");
        assertThatThrownBy(() -> KplAggregate.split(Arrays.copyOf(THREE, 10))).hasMessageContaining("too short");
        // a record whose partition key index points past the table
        byte[] badIndex = withDigest(HexFormat.of().parseHex("0a03706b311a0b08051a0768656c6c6f2d31"));
        assertThatThrownBy(() -> KplAggregate.split(badIndex)).hasMessageContaining("names partition key 5 of 1");
    }

    private static byte[] withDigest(byte[] protobuf) throws Exception {
        byte[] md5 = MessageDigest.getInstance("MD5").digest(protobuf);
        byte[] out = new byte[4 + protobuf.length + 16];
        System.arraycopy(THREE, 0, out, 0, 4);
        System.arraycopy(protobuf, 0, out, 4, protobuf.length);
        System.arraycopy(md5, 0, out, 4 + protobuf.length, 16);
        return out;
    }
}
