package io.podrouter.config;

/** A {@code host:port} pair as written in the configuration ({@code [v6]:port} for IPv6 literals). */
public record HostAndPort(String host, int port) {

    public static HostAndPort parse(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new IllegalArgumentException("IPv6 addresses are written [addr]:port, got '" + text + "'");
        }
        if (host.isEmpty() || !host.chars().allMatch(c -> c == '.' || c == '-' || c == ':' || c == '_' || Character.isLetterOrDigit(c))) {
            throw new IllegalArgumentException("invalid host in '" + text + "'");
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port in '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range in '" + text + "'");
        }
        return new HostAndPort(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
