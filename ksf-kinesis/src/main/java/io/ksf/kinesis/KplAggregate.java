package io.ksf.kinesis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Kinesis Producer Library's aggregated records, split into the user records they hold, as the KCL does for its
 * users. The format (amazon-kinesis-producer's aggregation-format.md): the magic bytes {@code F3 89 9A C2}, a
 * protobuf {@code AggregatedRecord} (1: partition key table, 2: explicit hash key table, 3: records, each with 1: its
 * partition key's index, 2: its explicit hash key's index, 3: its data, 4: tags), then the MD5 of the protobuf bytes.
 * Read here with the protobuf wire format's few rules rather than the KCL, which passes a record whose digest does
 * not match on as if it were not aggregated: KSF sends it to the dead letters with the reason instead.
 */
final class KplAggregate {
    private static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};
    private static final int DIGEST = 16;

    /** A user record: its partition key, its explicit hash key or null, its data. */
    record UserRecord(String partitionKey, String explicitHashKey, byte[] data) {
    }

    /** An aggregate that cannot be read: the message says why. */
    static final class CorruptException extends Exception {
        CorruptException(String message) {
            super(message);
        }
    }

    private KplAggregate() {
    }

    /** Whether the data is a KPL aggregate (it starts with the magic bytes). */
    static boolean isAggregate(byte[] data) {
        return data.length >= MAGIC.length && Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** The user records of an aggregate, in order (their sub-sequence numbers are their indexes). */
    static List<UserRecord> split(byte[] data) throws CorruptException {
        int end = data.length - DIGEST;
        if (end < MAGIC.length) {
            throw new CorruptException("a KPL aggregate of " + data.length + " bytes is too short for its MD5");
        }
        if (!Arrays.equals(md5(data, MAGIC.length, end), 0, DIGEST, data, end, data.length)) {
            throw new CorruptException("the KPL aggregate's MD5 does not match its " + (end - MAGIC.length)
                    + " bytes of records");
        }
        List<String> partitionKeys = new ArrayList<>();
        List<String> hashKeys = new ArrayList<>();
        List<long[]> records = new ArrayList<>(); // per record: key index, hash key index (-1: none), data from, to
        Reader in = new Reader(data, MAGIC.length, end);
        while (in.more()) {
            long tag = in.varint();
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            if (field == 1 && type == 2) {
                partitionKeys.add(in.text());
            } else if (field == 2 && type == 2) {
                hashKeys.add(in.text());
            } else if (field == 3 && type == 2) {
                records.add(record(in.nested()));
            } else {
                in.skip(type);
            }
        }
        List<UserRecord> users = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            long[] r = records.get(i);
            if (r[0] < 0 || r[0] >= partitionKeys.size()) {
                throw new CorruptException("user record " + i + " of the KPL aggregate names partition key " + r[0]
                        + " of " + partitionKeys.size());
            }
            if (r[1] >= hashKeys.size()) {
                throw new CorruptException("user record " + i + " of the KPL aggregate names explicit hash key "
                        + r[1] + " of " + hashKeys.size());
            }
            users.add(new UserRecord(partitionKeys.get((int) r[0]), r[1] < 0 ? null : hashKeys.get((int) r[1]),
                    Arrays.copyOfRange(data, (int) r[2], (int) r[3])));
        }
        return users;
    }

    private static long[] record(Reader in) throws CorruptException {
        long[] record = {-1, -1, -1, -1};
        while (in.more()) {
            long tag = in.varint();
            int field = (int) (tag >>> 3);
            int type = (int) (tag & 7);
            if (field == 1 && type == 0) {
                record[0] = in.varint();
            } else if (field == 2 && type == 0) {
                record[1] = in.varint();
            } else if (field == 3 && type == 2) {
                int length = in.length();
                record[2] = in.position;
                record[3] = in.position + length;
                in.position += length;
            } else {
                in.skip(type);
            }
        }
        if (record[0] < 0 || record[2] < 0) {
            throw new CorruptException("a user record of the KPL aggregate has no " + (record[0] < 0
                    ? "partition key index" : "data"));
        }
        return record;
    }

    private static byte[] md5(byte[] data, int from, int to) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(data, from, to - from);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has MD5", e);
        }
    }

    /** The protobuf wire format between two positions of the bytes. */
    private static final class Reader {
        private final byte[] data;
        private final int end;
        private int position;

        Reader(byte[] data, int from, int end) {
            this.data = data;
            this.position = from;
            this.end = end;
        }

        boolean more() {
            return position < end;
        }

        long varint() throws CorruptException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= end) {
                    throw new CorruptException("the KPL aggregate's protobuf ends inside a number");
                }
                byte b = data[position++];
                value |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new CorruptException("the KPL aggregate's protobuf has a number of more than 10 bytes");
        }

        int length() throws CorruptException {
            long length = varint();
            if (length < 0 || length > end - position) {
                throw new CorruptException("the KPL aggregate's protobuf is cut short: a field of " + length
                        + " bytes where " + (end - position) + " are left");
            }
            return (int) length;
        }

        String text() throws CorruptException {
            int length = length();
            String text = new String(data, position, length, StandardCharsets.UTF_8);
            position += length;
            return text;
        }

        Reader nested() throws CorruptException {
            int length = length();
            Reader nested = new Reader(data, position, position + length);
            position += length;
            return nested;
        }

        void skip(int type) throws CorruptException {
            switch (type) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> position += length();
                case 5 -> advance(4);
                default -> throw new CorruptException("the KPL aggregate's protobuf has a field of wire type " + type);
            }
        }

        private void advance(int bytes) throws CorruptException {
            if (bytes > end - position) {
                throw new CorruptException("the KPL aggregate's protobuf is cut short");
            }
            position += bytes;
        }
    }
}
