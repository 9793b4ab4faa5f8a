package io.podrouter.config;

import io.podrouter.routing.RoutingKey;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads a YAML configuration file (and the map file it names) into a {@link PodrouterConfig}.
 * Every error is collected, so {@code podrouter check} can list them all at once.
 */
public final class ConfigReader {
    private static final Pattern BACKEND_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    private ConfigReader() {
    }

    public static PodrouterConfig read(Path file) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        String label = file.toString();
        Node root;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            LoadSettings settings = LoadSettings.builder().setLabel(label).setAllowDuplicateKeys(true).build();
            Optional<Node> node = new Compose(settings).composeReader(reader);
            if (node.isEmpty()) {
                throw new ConfigException(List.of(new ConfigError(label, 0, null, "the file is empty")));
            }
            root = node.get();
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigError(label, 0, null, "cannot read: " + e.getMessage())));
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw new ConfigException(List.of(new ConfigError(label, line, null, "not valid YAML: " + e.getProblem())));
        } catch (YamlEngineException e) {
            throw new ConfigException(List.of(new ConfigError(label, 0, null, "not valid YAML: " + e.getMessage())));
        }

        YamlSection top = new YamlSection(label, "", root, errors);
        Path baseDir = file.toAbsolutePath().getParent();
        List<ListenerConfig> listeners = listeners(top, baseDir);
        Map<String, BackendConfig> backends = backends(top, baseDir);
        RoutingConfig routing = routing(top.section("routing"), baseDir, backends, errors);
        TimeoutsConfig timeouts = timeouts(top.section("timeouts"));
        LimitsConfig limits = limits(top.section("limits"));
        YamlSection p = top.section("pool");
        PoolConfig pool = new PoolConfig(p.duration("idle-timeout", PoolConfig.DEFAULTS.idleTimeout()),
                p.integer("max-idle", PoolConfig.DEFAULTS.maxIdle(), 0, 100_000));
        p.rejectUnknownKeys();
        int threads = top.integer("threads", 0, 0, 1024);
        TransportChoice transport = top.value("transport", TransportChoice.AUTO, TransportChoice::parse);
        List<Cidr> trusted = new ArrayList<>();
        for (YamlSection.Item item : top.list("trusted-proxies")) {
            try {
                trusted.add(Cidr.parse(String.valueOf(item.scalarOrNull())));
            } catch (IllegalArgumentException e) {
                top.error(item.node(), item.path(), e.getMessage());
            }
        }
        AdminConfig admin = null;
        if (top.has("admin")) {
            YamlSection a = top.section("admin");
            HostAndPort bind = a.value("bind", HostAndPort.parse("127.0.0.1:9900"), HostAndPort::parse);
            String token = a.string("token", null);
            if (token != null && token.length() < 16) {
                a.error("token", "use at least 16 characters");
            }
            if (token == null && !isLoopback(bind.host())) {
                a.error("bind", "an admin listener on a non-loopback address needs admin.token");
            }
            a.rejectUnknownKeys();
            admin = new AdminConfig(bind, token);
        }
        YamlSection al = top.section("access-log");
        AccessLogConfig accessLog = new AccessLogConfig(
                al.value("enabled", AccessLogConfig.DEFAULTS.enabled(), ConfigReader::bool),
                al.value("format", false, f -> switch (f.trim()) {
                    case "text" -> false;
                    case "json" -> true;
                    default -> throw new IllegalArgumentException("expected text or json, got '" + f + "'");
                }),
                al.value("path", null, v -> v.equals("stdout") ? null : baseDir.resolve(v).normalize()),
                al.integer("buffered-lines", AccessLogConfig.DEFAULTS.bufferedLines(), 16, 10_000_000),
                al.duration("flush-interval", AccessLogConfig.DEFAULTS.flushInterval()));
        al.rejectUnknownKeys();
        YamlSection lg = top.section("logging");
        LoggingConfig logging = new LoggingConfig(lg.value("format", LoggingConfig.DEFAULTS.json(), ConfigReader::textOrJson));
        lg.rejectUnknownKeys();
        YamlSection shutdown = top.section("shutdown");
        Duration grace = shutdown.duration("grace", Duration.ofSeconds(30));
        shutdown.rejectUnknownKeys();
        top.rejectUnknownKeys();
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return new PodrouterConfig(file, listeners, routing, backends, timeouts, limits, pool, threads, transport, trusted, grace, admin,
                accessLog, logging);
    }

    /** A log's {@code format}: true for json, false for text. */
    private static boolean textOrJson(String format) {
        return switch (format.trim()) {
            case "text" -> false;
            case "json" -> true;
            default -> throw new IllegalArgumentException("expected text or json, got '" + format + "'");
        };
    }

    private static TlsConfig tls(YamlSection t, Path baseDir) {
        List<TlsConfig.Certificate> certificates = new ArrayList<>();
        List<YamlSection.Item> items = t.list("certificates");
        if (items.isEmpty()) {
            t.error("certificates", "a TLS listener needs at least one certificate: [ { cert: site.pem, key: site.key } ]");
        }
        for (YamlSection.Item item : items) {
            YamlSection c = t.section(item);
            Path cert = c.value("cert", null, v -> baseDir.resolve(v).normalize());
            Path key = c.value("key", null, v -> baseDir.resolve(v).normalize());
            if (cert == null) {
                c.error("cert", "missing: the PEM certificate chain");
            } else if (!java.nio.file.Files.isReadable(cert)) {
                c.error("cert", "cannot read " + cert);
            }
            if (key == null) {
                c.error("key", "missing: the PEM private key");
            } else if (!java.nio.file.Files.isReadable(key)) {
                c.error("key", "cannot read " + key);
            }
            c.rejectUnknownKeys();
            if (cert != null && key != null) {
                certificates.add(new TlsConfig.Certificate(cert, key));
            }
        }
        List<String> protocols = new ArrayList<>();
        for (YamlSection.Item item : t.list("protocols")) {
            String p = item.scalarOrNull();
            if (!"TLSv1.2".equals(p) && !"TLSv1.3".equals(p)) {
                t.error(item.node(), item.path(), "expected TLSv1.2 or TLSv1.3, got '" + p + "'");
            } else {
                protocols.add(p);
            }
        }
        if (protocols.isEmpty()) {
            protocols = List.of("TLSv1.3", "TLSv1.2");
        }
        List<String> ciphers = new ArrayList<>();
        for (YamlSection.Item item : t.list("ciphers")) {
            ciphers.add(String.valueOf(item.scalarOrNull()));
        }
        boolean strictSni = t.value("strict-sni", false, ConfigReader::bool);
        boolean requireHostMatch = t.value("require-host-match", false, ConfigReader::bool);
        t.rejectUnknownKeys();
        return new TlsConfig(certificates, protocols, ciphers, strictSni, requireHostMatch);
    }

    private static List<ListenerConfig> listeners(YamlSection top, Path baseDir) {
        List<ListenerConfig> listeners = new ArrayList<>();
        List<YamlSection.Item> items = top.list("listeners");
        if (items.isEmpty()) {
            top.error("listeners", "at least one listener is needed, e.g. listeners: [ { bind: 0.0.0.0:8080 } ]");
        }
        for (YamlSection.Item item : items) {
            YamlSection l = top.section(item);
            HostAndPort bind = l.value("bind", null, HostAndPort::parse);
            if (bind == null && !l.has("bind")) {
                l.error("bind", "missing: the address to listen on, e.g. 0.0.0.0:8080");
            }
            TlsConfig tls = l.has("tls") ? tls(l.section("tls"), baseDir) : null;
            boolean h2c = l.value("h2c", false, ConfigReader::bool);
            if (h2c && tls != null) {
                l.error("h2c", "h2c is HTTP/2 without TLS; a TLS listener offers h2 by ALPN already");
            }
            l.rejectUnknownKeys();
            if (bind != null) {
                listeners.add(new ListenerConfig(bind, tls, h2c));
            }
        }
        return listeners;
    }

    private static Map<String, BackendConfig> backends(YamlSection top, Path baseDir) {
        Map<String, BackendConfig> backends = new LinkedHashMap<>();
        YamlSection all = top.section("backends");
        if (all.keys().isEmpty()) {
            top.error("backends", "at least one backend (pod) is needed");
        }
        for (String name : all.keys()) {
            if (!BACKEND_NAME.matcher(name).matches()) {
                all.error(name, "a backend name is letters, digits, '.', '_' and '-' (at most 64)");
            }
            YamlSection b = all.section(name);
            List<ServerConfig> servers = new ArrayList<>();
            List<YamlSection.Item> items = b.list("servers");
            if (items.isEmpty()) {
                b.error("servers", "a backend needs at least one server");
            }
            for (YamlSection.Item item : items) {
                YamlSection s = b.section(item);
                HostAndPort address = s.value("address", null, HostAndPort::parse);
                if (address == null && !s.has("address")) {
                    s.error("address", "missing: the server's host:port");
                }
                int maxconn = s.integer("maxconn", ServerConfig.DEFAULTS.maxconn(), 0, 1_000_000);
                int weight = s.integer("weight", ServerConfig.DEFAULTS.weight(), 1, 256);
                boolean backup = s.value("backup", ServerConfig.DEFAULTS.backup(), ConfigReader::bool);
                boolean tls = s.value("tls", false, ConfigReader::bool);
                boolean verify = s.value("verify", true, ConfigReader::bool);
                Path ca = s.value("ca", null, v -> baseDir.resolve(v).normalize());
                String sni = s.value("sni", null, v -> {
                    if (io.podrouter.routing.RoutingKey.normalize(v) == null) {
                        throw new IllegalArgumentException("not a host name: '" + v + "'");
                    }
                    return v;
                });
                if (!tls && (s.has("ca") || s.has("sni") || s.has("verify"))) {
                    s.error("tls", "ca, sni and verify need tls: true");
                }
                if (ca != null && !java.nio.file.Files.isReadable(ca)) {
                    s.error("ca", "cannot read " + ca);
                }
                s.rejectUnknownKeys();
                if (address != null) {
                    servers.add(new ServerConfig(address, maxconn, weight, backup,
                            tls ? new ServerConfig.UpstreamTls(verify, ca, sni) : null));
                }
            }
            if (!servers.isEmpty() && servers.stream().allMatch(ServerConfig::backup)) {
                b.error("servers", "at least one server must not be a backup");
            }
            BackendConfig d = BackendConfig.DEFAULTS;
            BackendConfig.Balance balance = b.value("balance", d.balance(), v -> {
                try {
                    return BackendConfig.Balance.valueOf(v.trim().toUpperCase());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("expected roundrobin, leastconn, random or hash, got '" + v + "'");
                }
            });
            int maxQueue = b.integer("max-queue", d.maxQueue(), 0, 10_000_000);
            HealthCheckConfig check = null;
            if (b.has("check")) {
                YamlSection c = b.section("check");
                HealthCheckConfig hd = HealthCheckConfig.DEFAULTS;
                String path = c.string("path", hd.path());
                if (!path.startsWith("/")) {
                    c.error("path", "must start with /");
                }
                check = new HealthCheckConfig(path, c.duration("interval", hd.interval()), c.duration("timeout", hd.timeout()),
                        c.integer("rise", hd.rise(), 1, 100), c.integer("fall", hd.fall(), 1, 100));
                c.rejectUnknownKeys();
            }
            YamlSection passive = b.section("passive");
            int passiveFailures = passive.integer("failures", d.passiveFailures(), 1, 1_000_000);
            Duration cooldown = passive.duration("cooldown", d.passiveCooldown());
            passive.rejectUnknownKeys();
            b.rejectUnknownKeys();
            backends.put(name, new BackendConfig(name, servers, balance, maxQueue, check, passiveFailures, cooldown));
        }
        return backends;
    }

    private static RoutingConfig routing(YamlSection r, Path baseDir, Map<String, BackendConfig> backends,
                                         List<ConfigError> errors) {
        String key = r.value("key", "host", k -> {
            if (k.equalsIgnoreCase("host")) {
                return "host";
            }
            if (k.equalsIgnoreCase("sni")) {
                return "sni";
            }
            if (k.startsWith("header:") && HEADER_NAME.matcher(k.substring(7)).matches()) {
                return k.substring(7);
            }
            throw new IllegalArgumentException("expected 'host', 'sni' or 'header:<Name>', got '" + k + "'");
        });
        Path map = r.value("map", null, m -> baseDir.resolve(m).normalize());
        List<MapEntry> entries = List.of();
        if (map != null) {
            List<ConfigError> mapErrors = new ArrayList<>();
            entries = MapFile.read(map, mapErrors);
            Map<String, Integer> seen = new HashMap<>();
            for (MapEntry e : entries) {
                String normalized = RoutingKey.normalize(e.key());
                if (normalized == null) {
                    mapErrors.add(new ConfigError(map.toString(), e.line(), e.key(), "not a valid host name"));
                } else if (!normalized.equals(e.key())) {
                    mapErrors.add(new ConfigError(map.toString(), e.line(), e.key(),
                            "keys are written lower-case, without port or trailing dot: '" + normalized + "'"));
                }
                if (!backends.containsKey(e.backend())) {
                    mapErrors.add(new ConfigError(map.toString(), e.line(), e.key(),
                            "unknown backend '" + e.backend() + "' (declared: " + String.join(", ", backends.keySet()) + ")"));
                }
                Integer first = seen.putIfAbsent(e.key(), e.line());
                if (first != null) {
                    mapErrors.add(new ConfigError(map.toString(), e.line(), e.key(), "duplicate key, first on line " + first));
                }
            }
            errors.addAll(mapErrors);
        }
        UnknownRoute unknown = UnknownRoute.NOT_FOUND;
        if (r.has("unknown")) {
            YamlSection u = r.section("unknown");
            String backend = u.string("backend", null);
            int status = u.integer("status", 404, 400, 599);
            if (backend != null && u.has("status")) {
                u.error("status", "give either status or backend, not both");
            }
            if (backend != null && !backends.containsKey(backend)) {
                u.error("backend", "unknown backend '" + backend + "'");
            }
            u.rejectUnknownKeys();
            unknown = new UnknownRoute(backend == null ? status : 0, backend);
        }
        DirectoryConfig directory = r.has("directory") ? directory(r.section("directory")) : null;
        YamlSection cacheSection = r.section("cache");
        WarmStartConfig warmStart = warmStart(cacheSection, baseDir);
        CacheConfig cache = cache(cacheSection);
        if ((warmStart.snapshot() != null || !warmStart.warmFrom().isEmpty()) && directory == null) {
            cacheSection.error(warmStart.snapshot() != null ? "snapshot" : "warm-from",
                    "needs routing.directory: only directory answers are cached");
        }
        boolean persist = r.value("map-persist", false, ConfigReader::bool);
        if (persist && map == null) {
            r.error("map-persist", "needs routing.map: the file to write entries back to");
        }
        InvalidationConfig invalidation = null;
        if (r.has("invalidation")) {
            invalidation = invalidation(r.section("invalidation"));
            if (directory == null) {
                r.error("invalidation", "needs routing.directory: the stream changes cached directory answers");
            }
        }
        r.rejectUnknownKeys();
        return new RoutingConfig(key, map, entries, unknown, directory, cache, persist, invalidation, warmStart);
    }

    private static DirectoryConfig directory(YamlSection d) {
        List<DirectoryUrl> urls = new ArrayList<>();
        if (d.has("url")) {
            DirectoryUrl url = d.value("url", null, DirectoryUrl::parse);
            if (url != null) {
                urls.add(url);
            }
        }
        for (YamlSection.Item item : d.list("fallback-urls")) {
            try {
                urls.add(DirectoryUrl.parse(String.valueOf(item.scalarOrNull())));
            } catch (IllegalArgumentException e) {
                d.error(item.node(), item.path(), e.getMessage());
            }
        }
        if (!d.has("url")) {
            d.error("url", "missing: the directory URL, e.g. http://127.0.0.1:6280/rest/private/gds/backend/{key}");
        }
        YamlSection circuit = d.section("circuit");
        DirectoryConfig dd = DirectoryConfig.DEFAULTS;
        DirectoryConfig c = new DirectoryConfig(urls,
                d.duration("timeout", dd.timeout()),
                d.integer("max-in-flight", dd.maxInFlight(), 1, 1_000_000),
                d.size("max-answer-size", dd.maxAnswerBytes(), 64, 1 << 20),
                circuit.integer("failures", dd.circuitFailures(), 1, 1_000_000),
                circuit.duration("open-for", dd.circuitOpenFor()),
                d.integer("max-idle", dd.maxIdle(), 0, 100_000),
                d.integer("max-queued", dd.maxQueued(), 0, 10_000_000),
                d.duration("queue-timeout", dd.queueTimeout()),
                d.value("hedge-after", null, h -> h.trim().equalsIgnoreCase("p95") ? DirectoryConfig.ADAPTIVE_HEDGE_FLOOR
                        : Sizes.duration(h)),
                d.value("hedge-after", false, h -> h.trim().equalsIgnoreCase("p95")),
                d.duration("idle-timeout", dd.idleTimeout()));
        if (c.hedgeAfter() != null && urls.size() < 2) {
            d.error("hedge-after", "needs fallback-urls: a hedge goes to the next URL");
        }
        circuit.rejectUnknownKeys();
        d.rejectUnknownKeys();
        return c;
    }

    private static WarmStartConfig warmStart(YamlSection c, Path baseDir) {
        WarmStartConfig d = WarmStartConfig.DEFAULTS;
        List<String> peers = new ArrayList<>();
        if (c.node("warm-from").map(n -> n instanceof org.snakeyaml.engine.v2.nodes.SequenceNode).orElse(false)) {
            for (YamlSection.Item item : c.list("warm-from")) {
                try {
                    peers.add(WarmStartConfig.checkedPeer(String.valueOf(item.scalarOrNull())));
                } catch (IllegalArgumentException e) {
                    c.error(item.node(), item.path(), e.getMessage());
                }
            }
        } else {
            String list = c.string("warm-from", null);
            if (list != null) {
                for (String peer : list.split(",")) {
                    try {
                        peers.add(WarmStartConfig.checkedPeer(peer));
                    } catch (IllegalArgumentException e) {
                        c.error("warm-from", e.getMessage());
                    }
                }
            }
        }
        WarmStartConfig w = new WarmStartConfig(c.value("snapshot", null, f -> baseDir.resolve(f).normalize()),
                c.duration("snapshot-interval", d.snapshotInterval()), peers, c.duration("warm-timeout", d.warmTimeout()));
        if (w.snapshotInterval().compareTo(Duration.ofSeconds(1)) < 0) {
            c.error("snapshot-interval", "at least 1s");
        }
        return w;
    }

    private static InvalidationConfig invalidation(YamlSection i) {
        String redis = i.value("redis", null, InvalidationConfig::checkedRedisUri);
        if (!i.has("redis")) {
            i.error("redis", "missing: the Redis URI, e.g. redis://127.0.0.1:6379/0");
        }
        InvalidationConfig c = new InvalidationConfig(redis,
                i.value("stream", InvalidationConfig.DEFAULT_STREAM, s -> {
                    if (s.isBlank()) {
                        throw new IllegalArgumentException("the stream's key must not be empty");
                    }
                    return s.trim();
                }),
                i.duration("ttl-while-disconnected", InvalidationConfig.DEFAULT_TTL_WHILE_DISCONNECTED));
        i.rejectUnknownKeys();
        return c;
    }

    private static CacheConfig cache(YamlSection c) {
        CacheConfig d = CacheConfig.DEFAULTS;
        CacheConfig cache = new CacheConfig(
                c.integer("max-entries", d.maxEntries(), 1, 100_000_000),
                c.duration("ttl", d.ttl()),
                c.duration("min-ttl", d.minTtl()),
                c.duration("max-ttl", d.maxTtl()),
                c.duration("negative-ttl", d.negativeTtl()),
                c.duration("invalid-ttl", d.invalidTtl()),
                c.value("refresh-after", d.refreshAfterPercent(), ConfigReader::percent),
                c.duration("stale-if-error", d.staleIfError()));
        if (cache.minTtl().compareTo(cache.maxTtl()) > 0) {
            c.error("min-ttl", "must not be larger than max-ttl");
        }
        c.rejectUnknownKeys();
        return cache;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    private static boolean bool(String text) {
        return switch (text.trim()) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
        };
    }

    private static int percent(String text) {
        String t = text.trim();
        if (t.endsWith("%")) {
            try {
                int n = Integer.parseInt(t.substring(0, t.length() - 1).trim());
                if (n >= 1 && n <= 100) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException("expected a share of the TTL such as 80%, got '" + text + "'");
    }

    private static TimeoutsConfig timeouts(YamlSection t) {
        TimeoutsConfig d = TimeoutsConfig.DEFAULTS;
        TimeoutsConfig c = new TimeoutsConfig(
                t.duration("connect", d.connect()),
                t.duration("server", d.server()),
                t.duration("keep-alive", d.keepAlive()),
                t.duration("queue", d.queue()),
                t.duration("client", d.client()),
                t.duration("idle", d.idle()),
                t.duration("tunnel", d.tunnel()));
        t.rejectUnknownKeys();
        return c;
    }

    private static LimitsConfig limits(YamlSection l) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        LimitsConfig c = new LimitsConfig(
                l.size("max-request-line", d.maxRequestLine(), 256, 1 << 20),
                l.size("max-header-size", d.maxHeaderSize(), 1024, 1 << 20));
        l.rejectUnknownKeys();
        return c;
    }
}
