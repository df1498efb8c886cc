package io.ksf.kinesis;

/**
 * Where reading of one shard stands, as durable as the records before it.
 *
 * @param sequence the sequence number of the last record made durable (decimal text, up to 129 digits), or null
 * @param next     how many records of the shard were made durable: the offset the next record gets
 * @param ended    the shard is closed and every one of its records is durable: its children may start
 */
public record ShardCheckpoint(String sequence, long next, boolean ended) {
}
