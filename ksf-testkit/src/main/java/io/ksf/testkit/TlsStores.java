package io.ksf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A self-signed certificate for 127.0.0.1, in a key store and a trust store, made with the JDK's keytool. */
final class TlsStores {
    static final String KEY_STORE = "broker.p12";
    static final String TRUST_STORE = "truststore.p12";

    private TlsStores() {
    }

    static void create(Path dir, String password) {
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Path keyStore = dir.resolve(KEY_STORE);
        Path certificate = dir.resolve("broker.crt");
        run(dir, keytool, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "3650", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", password,
                "-keypass", password);
        run(dir, keytool, "-exportcert", "-alias", "broker", "-keystore", keyStore.toString(), "-storepass", password,
                "-file", certificate.toString());
        run(dir, keytool, "-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                "-keystore", dir.resolve(TRUST_STORE).toString(), "-storetype", "PKCS12", "-storepass", password);
    }

    private static void run(Path dir, String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true)
                    .start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
