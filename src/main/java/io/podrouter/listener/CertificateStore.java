package io.podrouter.listener;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.podrouter.config.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TLS listener's certificates, chosen by SNI: exact names and wildcards ({@code *.example.com},
 * one label) from each certificate's subject alternative names (or common name). As in HAProxy,
 * the first certificate is the default, for a client that sends no name or one no certificate
 * covers (one that connects by IP address, say); with {@code strict-sni} such a handshake fails
 * instead. Certificate files are re-read when they change, without a restart.
 */
final class CertificateStore implements AsyncMapping<String, SslContext>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CertificateStore.class);
    private static final long CHECK_SECONDS = 10;

    private final TlsConfig config;
    private final SslProvider provider;
    private final ScheduledExecutorService watcher;
    private volatile Snapshot snapshot;

    /** The contexts for one set of files, and when those files were last changed. */
    private record Snapshot(SslContext fallback, Map<String, SslContext> exact, Map<String, SslContext> wildcard,
                            List<FileTime> versions) {
    }

    CertificateStore(TlsConfig config) throws IOException, CertificateException {
        this.config = config;
        this.provider = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        this.snapshot = load();
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "certificate-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::reloadIfChanged, CHECK_SECONDS, CHECK_SECONDS, TimeUnit.SECONDS);
    }

    /** Which TLS implementation is used: OpenSSL (BoringSSL) where it loads, else the JDK's. */
    String providerName() {
        return provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    @Override
    public Future<SslContext> map(String hostname, Promise<SslContext> promise) {
        Snapshot s = snapshot;
        log.debug("SNI lookup for {}", hostname);
        SslContext ctx = null;
        if (hostname != null) {
            String name = hostname.toLowerCase(Locale.ROOT);
            ctx = s.exact().get(name);
            if (ctx == null) {
                int dot = name.indexOf('.');
                ctx = dot > 0 ? s.wildcard().get(name.substring(dot + 1)) : null;
            }
        }
        if (ctx != null) {
            return promise.setSuccess(ctx);
        }
        if (config.strictSni()) {
            return promise.setFailure(new CertificateException(hostname == null ? "no server name sent (strict-sni)"
                    : "no certificate for the server name '" + hostname.toLowerCase(Locale.ROOT) + "' (strict-sni)"));
        }
        return promise.setSuccess(s.fallback());
    }

    private Snapshot load() throws IOException, CertificateException {
        SslContext fallback = null;
        Map<String, SslContext> exact = new HashMap<>();
        Map<String, SslContext> wildcard = new HashMap<>();
        List<FileTime> versions = new ArrayList<>();
        for (TlsConfig.Certificate c : config.certificates()) {
            versions.add(Files.getLastModifiedTime(c.cert()));
            versions.add(Files.getLastModifiedTime(c.key()));
            SslContextBuilder b = SslContextBuilder.forServer(c.cert().toFile(), c.key().toFile())
                    .sslProvider(provider)
                    .protocols(config.protocols())
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
            if (!config.ciphers().isEmpty()) {
                b.ciphers(config.ciphers());
            }
            SslContext ctx = b.build();
            if (fallback == null) {
                fallback = ctx;
            }
            List<String> names = names(c);
            for (String name : names) {
                if (name.startsWith("*.")) {
                    wildcard.putIfAbsent(name.substring(2), ctx);
                } else {
                    exact.putIfAbsent(name, ctx);
                }
            }
            log.info("TLS certificate {} for {}", c.cert(), names);
        }
        return new Snapshot(fallback, exact, wildcard, versions);
    }

    /** The DNS names a certificate is for: its subject alternative names, or else its common name. */
    private static List<String> names(TlsConfig.Certificate c) throws IOException, CertificateException {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(c.cert())) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        List<String> names = new ArrayList<>();
        if (cert.getSubjectAlternativeNames() != null) {
            for (List<?> san : cert.getSubjectAlternativeNames()) {
                if (Integer.valueOf(2).equals(san.get(0))) {
                    names.add(String.valueOf(san.get(1)).toLowerCase(Locale.ROOT));
                }
            }
        }
        if (names.isEmpty()) {
            try {
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (InvalidNameException e) {
                throw new CertificateException("unreadable subject in " + c.cert(), e);
            }
        }
        return names;
    }

    private void reloadIfChanged() {
        try {
            List<FileTime> now = new ArrayList<>();
            for (TlsConfig.Certificate c : config.certificates()) {
                now.add(Files.getLastModifiedTime(c.cert()));
                now.add(Files.getLastModifiedTime(c.key()));
            }
            if (!now.equals(snapshot.versions())) {
                snapshot = load();
                log.info("TLS certificates re-read after a change on disk");
            }
        } catch (Exception e) {
            log.error("TLS certificates changed on disk but cannot be loaded; keeping the ones in use: {}", e.toString());
        }
    }

    @Override
    public void close() {
        watcher.shutdownNow();
    }
}
