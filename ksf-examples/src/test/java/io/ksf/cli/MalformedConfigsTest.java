package io.ksf.cli;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malformed configs of many kinds: {@code ksf validate} exits 2 and names the path of the problem, and nothing
 * connects to the servers the config names (a listening socket counts the connections).
 */
class MalformedConfigsTest {
    private static ServerSocket server;
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();
    private static final AtomicInteger PASSED = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeAll
    static void listen() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket ignored = server.accept()) {
                    CONNECTIONS.incrementAndGet();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "connection-counter");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void close() throws IOException {
        server.close();
        System.out.printf("malformed-configs: %d configs exited 2 with an error naming the key, connections made %d%n",
                PASSED.get(), CONNECTIONS.get());
        assertThat(CONNECTIONS.get()).as("connections made by ksf validate").isZero();
    }

    private static String servers() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static String kafka(String extra) {
        return "{\"type\": \"kafka\", \"topics\": [\"pins\"], \"properties\": {\"bootstrap.servers\": \"" + servers()
                + "\", \"group.id\": \"g\"}" + extra + "}";
    }

    private static String s3Target() {
        return "{\"type\": \"s3\", \"bucket\": \"b\", \"endpoint\": \"http://" + servers() + "\"}";
    }

    private static String canonical(String source, String target, String rest) {
        return "{\"source\": " + source + ", \"target\": " + target + rest + "}";
    }

    /** name, config, what the error must contain (the path, and what was expected or found). */
    static Stream<Arguments> configs() {
        String s3 = s3Target();
        String good = canonical(kafka(""), s3, "");
        return Stream.of(
                Arguments.of("not JSON", "{\"source\": ", "not valid JSON"),
                Arguments.of("empty file", "", "config: expected a JSON object"),
                Arguments.of("a JSON array", "[1, 2]", "expected a JSON object"),
                Arguments.of("no source section", "{\"target\": " + s3 + "}",
                        "source: missing; expected an object with a \"type\""),
                Arguments.of("no target section", "{\"source\": " + kafka("") + "}",
                        "target: missing; expected an object with a \"type\""),
                Arguments.of("source without type", canonical("{\"topics\": [\"t\"]}", s3, ""),
                        "source.type: missing; expected the name of a factory"),
                Arguments.of("unknown source adapter", canonical("{\"type\": \"kafak\"}", s3, ""),
                        "source.type: no source named 'kafak'"),
                Arguments.of("unknown target adapter", canonical(kafka(""), "{\"type\": \"s4\"}", ""),
                        "target.type: no target named 's4'"),
                Arguments.of("unknown processor", canonical(kafka(""), s3, ", \"processors\": [{\"type\": \"nope\"}]"),
                        "processors[0].type: no processor named 'nope'"),
                Arguments.of("unknown format", canonical(kafka(", \"format\": \"yaml\""), s3, ""),
                        "source.format: no format named 'yaml'"),
                Arguments.of("unknown source key", canonical(kafka(", \"topic\": \"pins\""), s3, ""),
                        "source.topic: unknown key; supported keys: auth,"),
                Arguments.of("unknown target key", canonical(kafka(""), s3.replace("}", ", \"bukket\": \"x\"}"), ""),
                        "target.bukket: unknown key; supported keys: bucket,"),
                Arguments.of("unknown top-level section", good.replace("}}", "}, \"piplene\": {}}"),
                        "piplene: unknown key; supported keys: errors,"),
                Arguments.of("unknown pipeline key", canonical(kafka(""), s3, ", \"pipeline\": {\"flush.recs\": 1}"),
                        "pipeline.flush.recs: unknown key; supported keys: flush.bytes,"),
                Arguments.of("topics is an object", canonical(kafka("").replace("[\"pins\"]", "{\"pins\": 1}"), s3,
                        ""), "source.topics: expected a list of strings"),
                Arguments.of("empty topic list", canonical(kafka("").replace("[\"pins\"]", "[]"), s3, ""),
                        "expected exactly one of topics, topics.regex"),
                Arguments.of("topics and topics.regex", canonical(kafka(", \"topics.regex\": \"p.*\""), s3, ""),
                        "expected exactly one of topics, topics.regex"),
                Arguments.of("bad topic regex", canonical(kafka("").replace("\"topics\": [\"pins\"]",
                        "\"topics.regex\": \"pins[\""), s3, ""),
                        "source.topics.regex: expected a regular expression, found \"pins[\""),
                Arguments.of("no group.id", canonical(kafka("").replace(", \"group.id\": \"g\"", ""), s3, ""),
                        "source.properties.group.id: missing; expected the consumer group id"),
                Arguments.of("bad auto.offset.reset", canonical(kafka("").replace("\"g\"}",
                        "\"g\", \"auto.offset.reset\": \"oldest\"}"), s3, ""), 
                        "source.properties.auto.offset.reset: expected one of earliest, latest, none, "
                                + "found \"oldest\""),
                Arguments.of("unknown auth", canonical(kafka(", \"auth\": \"kerberos\""), s3, ""),
                        "source.auth: expected one of none, iam, scram-sha-512, scram-sha-256, plain, tls, "
                                + "found \"kerberos\""),
                Arguments.of("scram without a password", canonical(kafka(", \"auth\": \"scram-sha-512\", "
                        + "\"username\": \"u\""), s3, ""),
                        "source.password: missing; auth scram-sha-512 needs username and password"),
                Arguments.of("flush.records not a number", canonical(kafka(""), s3,
                        ", \"pipeline\": {\"flush.records\": \"many\"}"),
                        "pipeline.flush.records: expected an integer, found \"many\""),
                Arguments.of("negative flush.records", canonical(kafka(""), s3,
                        ", \"pipeline\": {\"flush.records\": -5}"),
                        "pipeline.flush.records: expected at least 1, found -5"),
                Arguments.of("zero flush.bytes", canonical(kafka(""), s3, ", \"pipeline\": {\"flush.bytes\": 0}"),
                        "pipeline.flush.bytes: expected at least 1, found 0"),
                Arguments.of("bad duration", canonical(kafka(""), s3, ", \"pipeline\": {\"flush.interval\": \"soon\"}"),
                        "pipeline.flush.interval: expected a duration such as 500ms, 10s or 5m, found \"soon\""),
                Arguments.of("bad size", canonical(kafka(""), s3, ", \"pipeline\": {\"memory.budget\": \"lots\"}"),
                        "pipeline.memory.budget: expected a size such as 512KiB, 64MiB or 1048576, found \"lots\""),
                Arguments.of("unknown mode", canonical(kafka(""), s3, ", \"pipeline\": {\"mode\": \"parallel\"}"),
                        "pipeline.mode: expected one of sync, async, found \"parallel\""),
                Arguments.of("tolerance all without dead letters", canonical(kafka(""), s3,
                        ", \"errors\": {\"tolerance\": \"all\"}"),
                        "errors.tolerance: 'all' needs errors.deadletter"),
                Arguments.of("unknown tolerance", canonical(kafka(""), s3, ", \"errors\": {\"tolerance\": \"some\"}"),
                        "errors.tolerance: expected one of all, none, found \"some\""),
                Arguments.of("dead letters of an unknown type", canonical(kafka(""), s3,
                        ", \"errors\": {\"deadletter\": {\"type\": \"trash\"}}"),
                        "errors.deadletter.type: no target named 'trash'"),
                Arguments.of("s3 without a bucket", canonical(kafka(""), "{\"type\": \"s3\"}", ""),
                        "target.bucket: missing; expected a string"),
                Arguments.of("s3 partitioner field without a field", canonical(kafka(""),
                        s3.replace("}", ", \"partitioner\": \"field\"}"), ""), "target.partition.field: missing"),
                Arguments.of("s3 part.size below 5 MiB", canonical(kafka(""), s3.replace("}", ", \"part.size\": \"1MiB\"}"),
                        ""), "target.part.size: expected at least 5MiB (S3's smallest part), found 1048576"),
                Arguments.of("file target without a path", canonical(kafka(""), "{\"type\": \"file\"}", ""),
                        "target.path: missing; expected a string"),
                Arguments.of("docdb without a collection", canonical(kafka(""), "{\"type\": \"docdb\", "
                        + "\"connection.string\": \"mongodb://" + servers() + "\", \"database\": \"d\"}", ""),
                        "target.collection: missing; expected a string"),
                Arguments.of("validate with an unknown type", canonical(kafka(""), s3,
                        ", \"processors\": [{\"type\": \"validate\", \"types\": {\"id\": \"int\"}}]"),
                        "processors[0].types.id: expected one of array,"),
                Arguments.of("schema file that does not exist", canonical(kafka(""), s3,
                        ", \"processors\": [{\"type\": \"validate\", \"schema\": \"/no/such/schema.json\"}]"),
                        "processors[0].schema: cannot read JSON Schema /no/such/schema.json"),
                Arguments.of("unset environment variable", canonical(kafka("").replace("\"g\"", "\"${KSF_UNSET_GROUP}\""),
                        s3, ""),
                        "source.properties.group.id: environment variable KSF_UNSET_GROUP is not set"),
                Arguments.of("both dialects mixed", "{\"Source\": {\"MSKTopic\": [\"t\"], \"configuration\": "
                        + "{\"bootstrap.servers\": \"" + servers() + "\", \"group.id\": \"g\"}}, \"target\": " + s3 + "}",
                        "target: unknown key; supported keys: Source, Target"),
                Arguments.of("release-1 with an unknown format", "{\"Source\": {\"MSKTopic\": [\"t\"], "
                        + "\"SourceDataFormat\": \"XML\", \"configuration\": {\"bootstrap.servers\": \"" + servers()
                        + "\", \"group.id\": \"g\"}}, \"Target\": {\"TargetS3bucket\": \"b\"}}",
                        "Source.SourceDataFormat: expected JSON or CSV, found \"XML\""),
                Arguments.of("release-1 minMSKCommit not a number", "{\"Source\": {\"MSKTopic\": [\"t\"], "
                        + "\"minMSKCommit\": \"ten\", \"configuration\": {\"bootstrap.servers\": \"" + servers()
                        + "\", \"group.id\": \"g\"}}, \"Target\": {\"TargetS3bucket\": \"b\"}}",
                        "Source.minMSKCommit: expected an integer, found \"ten\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void aMalformedConfigExitsTwoNamingThePathBeforeAnyConnection(String name, String json, String expected)
            throws IOException {
        Path config = Files.writeString(dir.resolve("pipeline.json"), json);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = KsfCommand.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));

        int exit = commandLine.execute("validate", "--config", config.toString());

        assertThat(exit).as(name + ": " + err).isEqualTo(2);
        assertThat(err.toString()).as(name).contains("config is invalid:").contains(expected);
        assertThat(out.toString()).as(name).isEmpty();
        PASSED.incrementAndGet();
        System.out.printf("malformed-config: %s -> %s", name, err.toString().lines().skip(1).findFirst().orElse("")
                .trim() + System.lineSeparator());
    }
}
