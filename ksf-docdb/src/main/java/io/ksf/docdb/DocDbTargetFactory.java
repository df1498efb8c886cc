package io.ksf.docdb;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.ksf.spi.ConfigException;
import io.ksf.spi.FactoryContext;
import io.ksf.spi.Option;
import io.ksf.spi.Options;
import io.ksf.spi.Target;
import io.ksf.spi.TargetFactory;
import io.ksf.support.Retry;
import org.bson.Document;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The {@code docdb} target: Amazon DocumentDB or MongoDB. */
public final class DocDbTargetFactory implements TargetFactory {
    public static final Option<String> CONNECTION_STRING = Option.string("connection.string",
            "mongodb:// URI with user and password; give it as ${ENV_VAR}").required().secret();
    public static final Option<String> DATABASE = Option.string("database", "database name").required();
    public static final Option<String> COLLECTION = Option.string("collection", "collection name").required();
    public static final Option<String> ID_FIELD = Option.string("id.field",
            "field (dotted path) whose value is the _id; default: topic-partition-offset");
    public static final Option<Integer> BATCH_SIZE = Option.integer("batch.size", "documents per unordered bulk write")
            .defaultValue(500);
    public static final Option<String> WRITE_CONCERN = Option.choice("write.concern",
            "acknowledgement asked of the server", "majority", "acknowledged", "w1").defaultValue("majority");
    public static final Option<String> TLS_CA_FILE = Option.string("tls.ca.file",
            "PEM bundle of CAs to trust, such as rds-combined-ca-bundle.pem; turns TLS on");
    public static final Option<Boolean> RETRY_WRITES = Option.bool("retry.writes",
            "driver-level retryable writes; default: off for DocumentDB hosts (unsupported there), else the URI's");
    public static final Option<Duration> RETRY_TIMEOUT = Option.duration("retry.timeout",
            "how long a bulk write is retried on network and write-concern errors").defaultValue(Duration.ofMinutes(2));
    public static final Option<Duration> RETRY_BACKOFF = Option.duration("retry.backoff",
            "first wait between retries; doubles with jitter").defaultValue(Duration.ofMillis(200));

    @Override
    public String name() {
        return "docdb";
    }

    @Override
    public String description() {
        return "Upserts one document per record into Amazon DocumentDB / MongoDB, idempotently by _id";
    }

    @Override
    public List<Option<?>> options() {
        return List.of(CONNECTION_STRING, DATABASE, COLLECTION, ID_FIELD, BATCH_SIZE, WRITE_CONCERN, TLS_CA_FILE,
                RETRY_WRITES, RETRY_TIMEOUT, RETRY_BACKOFF);
    }

    @Override
    public void check(Options options) {
        try {
            new ConnectionString(options.require(CONNECTION_STRING));
        } catch (IllegalArgumentException e) {
            // the driver's message may quote the URI, password included: say only what is wrong with its form
            throw new ConfigException(options.path() + ".connection.string: expected a mongodb:// or mongodb+srv:// "
                    + "URI, found " + io.ksf.spi.Secrets.REDACTED);
        }
        if (options.require(BATCH_SIZE) < 1) {
            throw new ConfigException(options.path() + ".batch.size: expected at least 1, found "
                    + options.require(BATCH_SIZE));
        }
        String ca = caFile(options);
        if (ca != null && !Files.isReadable(Path.of(ca))) {
            throw new ConfigException(options.path() + ".tls.ca.file: expected a readable PEM file, found " + ca);
        }
    }

    @Override
    public Target create(Options options, FactoryContext context) {
        check(options);
        MongoClient client = MongoClients.create(settings(options));
        return new DocDbTarget(client, client.getDatabase(options.require(DATABASE))
                .getCollection(options.require(COLLECTION), Document.class), options.get(ID_FIELD),
                options.require(BATCH_SIZE), new Retry(options.require(RETRY_TIMEOUT), options.require(RETRY_BACKOFF),
                Duration.ofSeconds(10)));
    }

    /** Client settings: the URI, DocumentDB's quirks, write concern, TLS with the CA bundle. */
    static MongoClientSettings settings(Options options) {
        ConnectionString uri = new ConnectionString(options.require(CONNECTION_STRING));
        MongoClientSettings.Builder builder = MongoClientSettings.builder().applyConnectionString(uri)
                .applyToClusterSettings(c -> c.serverSelectionTimeout(15, TimeUnit.SECONDS))
                // the driver waits forever on a half-open connection unless the URI sets socketTimeoutMS
                .applyToSocketSettings(s -> s.readTimeout(uri.getSocketTimeout() != null ? uri.getSocketTimeout()
                        : 120_000, TimeUnit.MILLISECONDS))
                .writeConcern(switch (options.require(WRITE_CONCERN)) {
                    case "w1" -> WriteConcern.W1;
                    case "acknowledged" -> WriteConcern.ACKNOWLEDGED;
                    default -> WriteConcern.MAJORITY;
                });
        Boolean retryWrites = options.get(RETRY_WRITES);
        if (retryWrites == null && uri.getRetryWritesValue() == null && isDocumentDb(uri)) {
            retryWrites = false; // DocumentDB rejects retryable writes
        }
        if (retryWrites != null) {
            builder.retryWrites(retryWrites);
        }
        String ca = caFile(options);
        if (ca != null) {
            SSLContext ssl = sslContext(Path.of(ca));
            builder.applyToSslSettings(s -> s.enabled(true).context(ssl));
        }
        return builder.build();
    }

    /** The CA bundle, or null; an empty value (an unset ${DOCDB_CA_FILE:-}) means none. */
    private static String caFile(Options options) {
        String ca = options.get(TLS_CA_FILE);
        return ca == null || ca.isBlank() ? null : ca;
    }

    static boolean isDocumentDb(ConnectionString uri) {
        return uri.getHosts().stream().anyMatch(host -> host.contains(".docdb.amazonaws.com")
                || host.contains(".docdb-elastic.amazonaws.com"));
    }

    /** An SSL context that trusts every certificate of a PEM bundle. */
    static SSLContext sslContext(Path bundle) {
        try (InputStream in = Files.newInputStream(bundle)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + i++, certificate);
            }
            if (i == 0) {
                throw new ConfigException("tls.ca.file: " + bundle + " holds no certificate");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException("tls.ca.file: cannot read the certificates of " + bundle + ": " + e.getMessage());
        }
    }
}
