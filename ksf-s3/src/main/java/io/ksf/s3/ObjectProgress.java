package io.ksf.s3;

/**
 * What the source knows of one object: the content it read (ETag, size, time) and how far its records are durable.
 *
 * @param etag         the content's ETag, to tell an overwrite under the same key
 * @param size         bytes
 * @param lastModified epoch milliseconds, the timestamp of every record of the object
 * @param generation   0 for the first content seen under the key, one more for each overwrite: the partition of
 *                     its records, so offsets start again at 0 for new content
 * @param next         the byte where reading resumes: everything before it is durable in the target
 * @param finished     every record of this content is durable
 */
record ObjectProgress(String etag, long size, long lastModified, int generation, long next, boolean finished) {

    static ObjectProgress discovered(String etag, long size, long lastModified, int generation) {
        return new ObjectProgress(etag, size, lastModified, generation, 0, size == 0);
    }

    ObjectProgress durableUpTo(long position) {
        return new ObjectProgress(etag, size, lastModified, generation, Math.max(next, position), finished);
    }

    ObjectProgress done() {
        return new ObjectProgress(etag, size, lastModified, generation, size, true);
    }
}
