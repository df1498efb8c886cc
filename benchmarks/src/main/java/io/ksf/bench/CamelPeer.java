package io.ksf.bench;

import io.ksf.testkit.EmbeddedKafka;
import io.ksf.testkit.EmbeddedS3;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The Apache Camel peer: a YAML route Kafka -> aggregate (5,000 records or 1 s, lines joined) -> aws2-s3, run by
 * camel-main in a child JVM on the class path of benchmarks/peers/camel. Timed from its first object until its
 * consumer group has committed the end offsets (Camel's Kafka consumer auto-commits every second, before the data
 * is stored: a weaker guarantee than KSF's).
 */
final class CamelPeer {
    private CamelPeer() {
    }

    /**
     * @param started  true once the first object is in the bucket
     * @param finished true once the bucket holds every record (Camel commits before it uploads, so offsets alone
     *                 would flatter it)
     */
    static ChildPeer.Result run(EmbeddedKafka kafka, EmbeddedS3 s3, String topic, String bucket, long records,
                                BooleanSupplier started, BooleanSupplier finished) {
        try {
            Path dir = Files.createTempDirectory("ksf-camel-peer-");
            String group = "camel-peer-" + System.nanoTime();
            Path route = Files.writeString(dir.resolve("route.yaml"), """
                    - beans:
                        - name: lines
                          type: org.apache.camel.processor.aggregate.StringAggregationStrategy
                          properties:
                            delimiter: "\\n"
                    - route:
                        from:
                          uri: "kafka:%s"
                          parameters:
                            brokers: "%s"
                            groupId: "%s"
                            autoOffsetReset: "earliest"
                            maxPollRecords: 2000
                            autoCommitIntervalMs: 1000
                            valueDeserializer: "org.apache.kafka.common.serialization.StringDeserializer"
                          steps:
                            - aggregate:
                                correlationExpression:
                                  constant: "all"
                                aggregationStrategy: "#lines"
                                completionSize: 5000
                                completionTimeout: 1000
                                steps:
                                  - setHeader:
                                      name: CamelAwsS3Key
                                      simple: "camel/${exchangeId}.json"
                                  - to:
                                      uri: "aws2-s3:%s"
                                      parameters:
                                        accessKey: "RAW(%s)"
                                        secretKey: "RAW(%s)"
                                        region: "us-east-1"
                                        overrideEndpoint: true
                                        uriEndpointOverride: "%s"
                                        forcePathStyle: true
                    """.formatted(topic, kafka.bootstrapServers(), group, bucket, EmbeddedS3.ACCESS_KEY,
                    EmbeddedS3.SECRET_KEY, s3.endpoint()));
            return ChildPeer.run("camel", List.of("-Dcamel.main.routesIncludePattern=file:" + route,
                    "org.apache.camel.main.Main"), dir, kafka, group, topic, records, started, finished);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
