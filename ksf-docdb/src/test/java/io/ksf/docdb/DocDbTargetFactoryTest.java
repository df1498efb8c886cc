package io.ksf.docdb;

import com.mongodb.MongoClientSettings;
import io.ksf.spi.ConfigException;
import io.ksf.spi.Options;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DocDbTargetFactoryTest {
    private final DocDbTargetFactory factory = new DocDbTargetFactory();

    private Options options(Map<String, Object> values) {
        return Options.of("target", factory.options(), values);
    }

    @Test
    void retryableWritesAreOffForDocumentDbHostsAndTheDriverDefaultElsewhere() {
        MongoClientSettings docdb = DocDbTargetFactory.settings(options(Map.of("database", "kafka", "collection", "h",
                "connection.string", "mongodb://u:p@docdb-2024.cluster-abc.us-east-1.docdb.amazonaws.com:27017")));
        MongoClientSettings mongo = DocDbTargetFactory.settings(options(Map.of("database", "kafka", "collection", "h",
                "connection.string", "mongodb://u:p@mongo.example:27017")));

        assertThat(docdb.getRetryWrites()).isFalse();
        assertThat(mongo.getRetryWrites()).isTrue();
        assertThat(docdb.getWriteConcern().getWString()).isEqualTo("majority");
    }

    @Test
    void aCaBundleTurnsTlsOnAndAMissingOneIsAClearError(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path bundle = dir.resolve("rds-combined-ca-bundle.pem");
        StringBuilder pem = new StringBuilder();
        java.security.KeyStore anchors = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        try (var in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(System.getProperty("java.home"),
                "lib", "security", "cacerts"))) {
            anchors.load(in, null);
        }
        java.util.Iterator<String> aliases = anchors.aliases().asIterator();
        for (int i = 0; i < 2 && aliases.hasNext(); i++) {
            pem.append("-----BEGIN CERTIFICATE-----\n").append(java.util.Base64.getMimeEncoder()
                    .encodeToString(anchors.getCertificate(aliases.next()).getEncoded())).append("\n-----END CERTIFICATE-----\n");
        }
        java.nio.file.Files.writeString(bundle, pem);

        MongoClientSettings settings = DocDbTargetFactory.settings(options(Map.of("database", "kafka",
                "collection", "h", "connection.string", "mongodb://u:p@h:27017", "tls.ca.file", bundle.toString())));

        assertThat(settings.getSslSettings().isEnabled()).isTrue();
        assertThat(settings.getSslSettings().getContext()).isNotNull();
        assertThatThrownBy(() -> factory.check(options(Map.of("database", "kafka", "collection", "h",
                "connection.string", "mongodb://u:p@h:27017", "tls.ca.file", "/nonexistent/rds-combined-ca-bundle.pem")))
        ).isInstanceOf(ConfigException.class)
                .hasMessage("target.tls.ca.file: expected a readable PEM file, found /nonexistent/rds-combined-ca-bundle.pem");
    }

    @Test
    void theConnectionStringNeverShowsItsPassword() {
        Options options = options(Map.of("database", "kafka", "collection", "h",
                "connection.string", "mongodb://admin:DocDbPass@h:27017"));
        assertThat(options.toString()).doesNotContain("DocDbPass");
        assertThatThrownBy(() -> factory.check(options(Map.of("database", "kafka", "collection", "h",
                "connection.string", "postgres://admin:DocDbPass@h"))))
                .isInstanceOf(ConfigException.class).hasMessageNotContaining("DocDbPass")
                .hasMessageContaining("target.connection.string: expected a mongodb://");
    }
}
