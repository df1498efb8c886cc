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
        assertThat(CONNECTIONS.get()).as("connections made by ksf validate").isZero();
    }

    private static String servers() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    private static String kafka(String extra) {
        return "{\"type\": \"kafka\", \"topics\": [\"pins\"], \"properties\": {\"bootstrap.servers\": \"" + servers()
                + "\", \"group.id\": \"g\"}" + extra + "}";
    }

    private static final String S3 = "{\"type\": \"s3\", \"bucket\": \"b\", \"endpoint\": \"http://127.0.0.1:1\"}";

    private static String canonical(String source, String target, String rest) {
        return "{\"source\": " + source + ", \"target\": " + target + rest + "}";
    }

    /** name, config, what the error must contain (the path, and what was expected or found). */
    static Stream<Arguments> configs() {
        String good = canonical(kafka(""), S3, "");
        return Stream.of(
                Arguments.of("not JSON", "{\"source\": ", "not valid JSON"),
                Arguments.of("empty file", "", "config: expected a JSON object"),
                Arguments.of("a JSON array", "[1, 2]", "expected a JSON object"),
                Arguments.of("no source section", "{\"target\": " + S3 + "}", "source"),
                Arguments.of("no target section", "{\"source\": " + kafka("") + "}", "target"),
                Arguments.of("source without type", canonical("{\"topics\": [\"t\"]}", S3, ""), "source.type"),
                Arguments.of("unknown source adapter", canonical("{\"type\": \"kafak\"}", S3, ""),
                        "source.type: no source named 'kafak'"),
                Arguments.of("unknown target adapter", canonical(kafka(""), "{\"type\": \"s4\"}", ""),
                        "target.type: no target named 's4'"),
                Arguments.of("unknown processor", canonical(kafka(""), S3, ", \"processors\": [{\"type\": \"nope\"}]"),
                        "processors[0].type"),
                Arguments.of("unknown format", canonical(kafka(", \"format\": \"yaml\""), S3, ""), "source.format"),
                Arguments.of("unknown source key", canonical(kafka(", \"topic\": \"pins\""), S3, ""), "source.topic"),
                Arguments.of("unknown target key", canonical(kafka(""), S3.replace("}", ", \"bukket\": \"x\"}"), ""),
                        "target.bukket"),
                Arguments.of("unknown top-level section", good.replace("}}", "}, \"piplene\": {}}"), "piplene"),
                Arguments.of("unknown pipeline key", canonical(kafka(""), S3, ", \"pipeline\": {\"flush.recs\": 1}"),
                        "pipeline.flush.recs"),
                Arguments.of("topics is an object", canonical(kafka("").replace("[\"pins\"]", "{\"pins\": 1}"), S3,
                        ""), "source.topics: expected a list of strings"),
                Arguments.of("empty topic list", canonical(kafka("").replace("[\"pins\"]", "[]"), S3, ""),
                        "expected exactly one of topics, topics.regex"),
                Arguments.of("topics and topics.regex", canonical(kafka(", \"topics.regex\": \"p.*\""), S3, ""),
                        "expected exactly one of topics, topics.regex"),
                Arguments.of("bad topic regex", canonical(kafka("").replace("\"topics\": [\"pins\"]",
                        "\"topics.regex\": \"pins[\""), S3, ""), "source.topics.regex"),
                Arguments.of("no group.id", canonical(kafka("").replace(", \"group.id\": \"g\"", ""), S3, ""),
                        "source.properties.group.id"),
                Arguments.of("bad auto.offset.reset", canonical(kafka("").replace("\"g\"}",
                        "\"g\", \"auto.offset.reset\": \"oldest\"}"), S3, ""), "source.properties.auto.offset.reset"),
                Arguments.of("unknown auth", canonical(kafka(", \"auth\": \"kerberos\""), S3, ""), "source.auth"),
                Arguments.of("scram without a password", canonical(kafka(", \"auth\": \"scram-sha-512\", "
                        + "\"username\": \"u\""), S3, ""), "auth scram-sha-512 needs username and password"),
                Arguments.of("flush.records not a number", canonical(kafka(""), S3,
                        ", \"pipeline\": {\"flush.records\": \"many\"}"), "pipeline.flush.records"),
                Arguments.of("negative flush.records", canonical(kafka(""), S3,
                        ", \"pipeline\": {\"flush.records\": -5}"), "pipeline.flush.records"),
                Arguments.of("zero flush.bytes", canonical(kafka(""), S3, ", \"pipeline\": {\"flush.bytes\": 0}"),
                        "pipeline.flush.bytes"),
                Arguments.of("bad duration", canonical(kafka(""), S3, ", \"pipeline\": {\"flush.interval\": \"soon\"}"),
                        "pipeline.flush.interval"),
                Arguments.of("bad size", canonical(kafka(""), S3, ", \"pipeline\": {\"memory.budget\": \"lots\"}"),
                        "pipeline.memory.budget"),
                Arguments.of("unknown mode", canonical(kafka(""), S3, ", \"pipeline\": {\"mode\": \"parallel\"}"),
                        "pipeline.mode"),
                Arguments.of("tolerance all without dead letters", canonical(kafka(""), S3,
                        ", \"errors\": {\"tolerance\": \"all\"}"), "errors.tolerance"),
                Arguments.of("unknown tolerance", canonical(kafka(""), S3, ", \"errors\": {\"tolerance\": \"some\"}"),
                        "errors.tolerance"),
                Arguments.of("dead letters of an unknown type", canonical(kafka(""), S3,
                        ", \"errors\": {\"deadletter\": {\"type\": \"trash\"}}"), "errors.deadletter.type"),
                Arguments.of("s3 without a bucket", canonical(kafka(""), "{\"type\": \"s3\"}", ""), "target.bucket"),
                Arguments.of("s3 partitioner field without a field", canonical(kafka(""),
                        S3.replace("}", ", \"partitioner\": \"field\"}"), ""), "target"),
                Arguments.of("s3 part.size below 5 MiB", canonical(kafka(""), S3.replace("}", ", \"part.size\": \"1MiB\"}"),
                        ""), "target.part.size"),
                Arguments.of("file target without a path", canonical(kafka(""), "{\"type\": \"file\"}", ""),
                        "target.path"),
                Arguments.of("docdb without a collection", canonical(kafka(""), "{\"type\": \"docdb\", "
                        + "\"connection.string\": \"mongodb://127.0.0.1:1\", \"database\": \"d\"}", ""),
                        "target.collection"),
                Arguments.of("validate with an unknown type", canonical(kafka(""), S3,
                        ", \"processors\": [{\"type\": \"validate\", \"types\": {\"id\": \"int\"}}]"), "types.id"),
                Arguments.of("schema file that does not exist", canonical(kafka(""), S3,
                        ", \"processors\": [{\"type\": \"validate\", \"schema\": \"/no/such/schema.json\"}]"),
                        "/no/such/schema.json"),
                Arguments.of("unset environment variable", canonical(kafka("").replace("\"g\"", "\"${KSF_UNSET_GROUP}\""),
                        S3, ""), "KSF_UNSET_GROUP"),
                Arguments.of("both dialects mixed", "{\"Source\": {\"MSKTopic\": [\"t\"], \"configuration\": "
                        + "{\"bootstrap.servers\": \"" + servers() + "\", \"group.id\": \"g\"}}, \"target\": " + S3 + "}",
                        "Target"),
                Arguments.of("release-1 with an unknown format", "{\"Source\": {\"MSKTopic\": [\"t\"], "
                        + "\"SourceDataFormat\": \"XML\", \"configuration\": {\"bootstrap.servers\": \"" + servers()
                        + "\", \"group.id\": \"g\"}}, \"Target\": {\"TargetS3bucket\": \"b\"}}", "SourceDataFormat"),
                Arguments.of("release-1 minMSKCommit not a number", "{\"Source\": {\"MSKTopic\": [\"t\"], "
                        + "\"minMSKCommit\": \"ten\", \"configuration\": {\"bootstrap.servers\": \"" + servers()
                        + "\", \"group.id\": \"g\"}}, \"Target\": {\"TargetS3bucket\": \"b\"}}", "minMSKCommit"));
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
        System.out.printf("malformed-config: %s -> %s", name, err.toString().lines().skip(1).findFirst().orElse("")
                .trim() + System.lineSeparator());
    }
}
