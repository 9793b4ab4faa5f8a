package io.podrouter.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML mapping being read into records. Every read key is remembered so that
 * {@link #rejectUnknownKeys()} can report typos; every problem is added to the shared error list
 * with the file, line and full key path, so one pass reports all of them.
 */
final class YamlSection {
    private final String file;
    private final String path;
    private final Node node;
    private final List<ConfigError> errors;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> known = new HashSet<>();

    YamlSection(String file, String path, Node node, List<ConfigError> errors) {
        this.file = file;
        this.path = path;
        this.node = node;
        this.errors = errors;
        if (node instanceof MappingNode mapping) {
            for (NodeTuple t : mapping.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k) {
                    if (entries.putIfAbsent(k.getValue(), t) != null) {
                        error(t.getKeyNode(), keyPath(k.getValue()), "duplicate key");
                    }
                } else {
                    error(t.getKeyNode(), path, "keys must be plain names");
                }
            }
        } else if (node != null) {
            error(node, path, "expected a mapping of keys to values");
        }
    }

    static int lineOf(Node n) {
        return n == null ? 0 : n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    String file() {
        return file;
    }

    String keyPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    int line() {
        return lineOf(node);
    }

    int lineOf(String key) {
        NodeTuple t = entries.get(key);
        return t == null ? line() : lineOf(t.getValueNode());
    }

    void error(Node at, String key, String message) {
        errors.add(new ConfigError(file, lineOf(at), key, message));
    }

    void error(String key, String message) {
        NodeTuple t = entries.get(key);
        errors.add(new ConfigError(file, t == null ? line() : lineOf(t.getValueNode()), keyPath(key), message));
    }

    boolean has(String key) {
        known.add(key);
        return entries.containsKey(key);
    }

    Set<String> keys() {
        return entries.keySet();
    }

    Optional<Node> node(String key) {
        known.add(key);
        NodeTuple t = entries.get(key);
        return t == null ? Optional.empty() : Optional.of(t.getValueNode());
    }

    YamlSection section(String key) {
        return new YamlSection(file, keyPath(key), node(key).orElse(null), errors);
    }

    Optional<String> scalar(String key) {
        Optional<Node> n = node(key);
        if (n.isEmpty()) {
            return Optional.empty();
        }
        if (n.get() instanceof ScalarNode s) {
            return Optional.of(s.getValue());
        }
        error(key, "expected a single value");
        return Optional.empty();
    }

    /** Reads a scalar through {@code parse}; a parse failure is recorded and {@code fallback} returned. */
    <T> T value(String key, T fallback, Function<String, T> parse) {
        Optional<String> s = scalar(key);
        if (s.isEmpty()) {
            return fallback;
        }
        try {
            return parse.apply(s.get());
        } catch (IllegalArgumentException e) {
            error(key, e.getMessage());
            return fallback;
        }
    }

    String string(String key, String fallback) {
        return value(key, fallback, Function.identity());
    }

    Duration duration(String key, Duration fallback) {
        return value(key, fallback, Sizes::duration);
    }

    int integer(String key, int fallback, int min, int max) {
        return value(key, fallback, s -> {
            int n;
            try {
                n = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number, got '" + s + "'");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        });
    }

    int size(String key, int fallback, long min, long max) {
        return value(key, fallback, s -> {
            long n = Sizes.bytes(s);
            if (n < min || n > max) {
                throw new IllegalArgumentException("must be between " + min + " and " + max + " bytes, got " + s);
            }
            return (int) n;
        });
    }

    /** The items of a sequence, each with its own path ({@code key[0]}, {@code key[1]}, ...). */
    List<Item> list(String key) {
        Optional<Node> n = node(key);
        if (n.isEmpty()) {
            return List.of();
        }
        if (!(n.get() instanceof SequenceNode seq)) {
            error(key, "expected a list");
            return List.of();
        }
        List<Item> items = new ArrayList<>();
        List<Node> values = seq.getValue();
        for (int i = 0; i < values.size(); i++) {
            items.add(new Item(keyPath(key) + "[" + i + "]", values.get(i)));
        }
        return items;
    }

    YamlSection section(Item item) {
        return new YamlSection(file, item.path(), item.node(), errors);
    }

    void rejectUnknownKeys() {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (!known.contains(e.getKey())) {
                errors.add(new ConfigError(file, lineOf(e.getValue().getKeyNode()), keyPath(e.getKey()),
                        "unknown key (expected one of " + String.join(", ", new java.util.TreeSet<>(known)) + ")"));
            }
        }
    }

    record Item(String path, Node node) {
        String scalarOrNull() {
            return node instanceof ScalarNode s ? s.getValue() : null;
        }
    }
}
