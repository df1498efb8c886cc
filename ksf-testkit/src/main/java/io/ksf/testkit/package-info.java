/**
 * Real servers for KSF's tests and host applications' tests, started in or beside the test JVM over loopback: a
 * Kafka broker, an S3 API server, a MongoDB-wire server, a Kinesis API server and a fault-injecting proxy, with
 * JUnit 5 extensions; and a {@link io.ksf.testkit.RunningPipeline} handle. It brings {@code ksf-contracts} (the
 * contract suites and in-memory adapters) with it. Use it in test scope.
 */
package io.ksf.testkit;
