package io.ksf.support;

/**
 * Names of the objects that object-store targets (file, S3) write, the same for all of them:
 * {@code {prefix}{topic}/partition={p}/{topic}+{p}+{firstOffset, 20 digits}.{extension}}. The name depends only
 * on where the object's first record came from, so a replay from a committed offset rewrites the same names. In
 * the file name a topic's slashes (an S3 source's topics are object keys) become underscores, so the name stays
 * one path segment.
 */
public final class ObjectLayout {
    private ObjectLayout() {
    }

    /** The key of an object whose first record is {@code firstOffset} of the partition. */
    public static String key(String prefix, String topic, int partition, long firstOffset, String extension) {
        return directory(prefix, topic, partition) + fileName(topic, partition, firstOffset, extension);
    }

    /** The "folder" of a partition, ending with a slash. */
    public static String directory(String prefix, String topic, int partition) {
        return (prefix == null ? "" : prefix) + topic + "/partition=" + partition + "/";
    }

    /** The name of an object: topic, partition and the zero-padded offset of its first record. */
    public static String fileName(String topic, int partition, long firstOffset, String extension) {
        return fileNameStem(topic, partition, firstOffset) + "." + extension;
    }

    /** The file name without its extension; names of later offsets of the partition sort after it. */
    public static String fileNameStem(String topic, int partition, long firstOffset) {
        return inName(topic) + "+" + partition + "+" + String.format("%020d", firstOffset);
    }

    /** The first offset in the name of an object of this partition, or -1 when the name is not one of them. */
    public static long firstOffset(String fileName, String topic, int partition) {
        String stem = inName(topic) + "+" + partition + "+";
        int end = stem.length() + 20;
        if (!fileName.startsWith(stem) || fileName.length() <= end || fileName.charAt(end) != '.') {
            return -1;
        }
        for (int i = stem.length(); i < end; i++) {
            if (!Character.isDigit(fileName.charAt(i))) {
                return -1;
            }
        }
        return Long.parseLong(fileName, stem.length(), end, 10);
    }

    private static String inName(String topic) {
        return topic.replace('/', '_');
    }
}
