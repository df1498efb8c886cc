package io.ksf.target;

/**
 * Names of the objects that object-store targets (file, S3) write, the same for all of them:
 * {@code {prefix}{topic}/partition={p}/{topic}+{p}+{firstOffset, 20 digits}.{extension}}. The name depends only
 * on where the object's first record came from, so a replay from a committed offset rewrites the same names.
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

    public static String fileName(String topic, int partition, long firstOffset, String extension) {
        return topic + "+" + partition + "+" + String.format("%020d", firstOffset) + "." + extension;
    }
}
