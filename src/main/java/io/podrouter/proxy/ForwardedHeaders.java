package io.podrouter.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.podrouter.config.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * Sets X-Forwarded-For, -Proto and -Host on requests going to a server. What a client sends in
 * them (and in RFC 7239's Forwarded, which is removed) is replaced, unless the client is a trusted proxy (a CIDR in {@code trusted-proxies}); then
 * its X-Forwarded-For is extended and its -Proto and -Host are kept.
 */
final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");

    private final List<Cidr> trustedProxies;

    ForwardedHeaders(List<Cidr> trustedProxies) {
        this.trustedProxies = List.copyOf(trustedProxies);
    }

    /** What a connection's peer is allowed to tell us; computed once per connection. */
    Peer peer(SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            InetAddress address = inet.getAddress();
            boolean trusted = false;
            for (Cidr cidr : trustedProxies) {
                if (cidr.contains(address)) {
                    trusted = true;
                    break;
                }
            }
            return new Peer(address.getHostAddress(), trusted);
        }
        return new Peer("unknown", false);
    }

    void apply(HttpHeaders headers, Peer peer, CharSequence host, String scheme) {
        if (peer.trusted()) {
            // Several X-Forwarded-For lines are one list, in order (RFC 9110 5.3): extend all of it.
            StringBuilder chain = new StringBuilder();
            for (String previous : headers.getAll(X_FORWARDED_FOR)) {
                if (!previous.isBlank()) {
                    chain.append(previous.trim()).append(", ");
                }
            }
            headers.set(X_FORWARDED_FOR, chain.append(peer.address()).toString());
            if (!headers.contains(X_FORWARDED_PROTO)) {
                headers.set(X_FORWARDED_PROTO, scheme);
            }
            if (!headers.contains(X_FORWARDED_HOST) && host != null) {
                headers.set(X_FORWARDED_HOST, host);
            }
        } else {
            // RFC 7239's Forwarded says the same things; from an untrusted client it is a spoof.
            headers.remove(FORWARDED);
            headers.set(X_FORWARDED_FOR, peer.address());
            headers.set(X_FORWARDED_PROTO, scheme);
            if (host != null) {
                headers.set(X_FORWARDED_HOST, host);
            } else {
                headers.remove(X_FORWARDED_HOST);
            }
        }
    }

    /** A client connection's address as forwarded, and whether it is a trusted proxy. */
    record Peer(String address, boolean trusted) {
    }
}
