package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class HopByHopHeadersTest {
    @Test
    void theConnectionHeadersAndEveryHeaderTheyNameGo() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "keep-alive, X-One").add("Connection", "x-two")
                .add("X-One", "1").add("X-Two", "2").add("X-Three", "3")
                .add("Keep-Alive", "timeout=5").add("TE", "trailers").add("Trailer", "X").add("Upgrade", "h2c");
        HopByHopHeaders.strip(h);
        assertThat(h.names()).containsExactly("X-Three");
    }

    @Test
    void framingAndHostStayEvenWhenConnectionNamesThem() {
        HttpHeaders h = new DefaultHttpHeaders().add("Connection", "Content-Length, transfer-encoding, Host")
                .add("Content-Length", "3").add("Host", "h");
        HopByHopHeaders.strip(h);
        assertThat(h.contains("Content-Length")).isTrue();
        assertThat(h.contains("Host")).isTrue();
        assertThat(h.contains("Connection")).isFalse();
    }

    @Test
    void everyProxyHeaderGoes() {
        HttpHeaders h = new DefaultHttpHeaders().add("Proxy-Authorization", "x").add("proxy-connection", "close")
                .add("Proxyish", "stays").add("Proxy-", "stays");
        HopByHopHeaders.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("Proxyish", "Proxy-");
    }

    @Test
    void anUpgradeIsRequestedOnlyWithConnectionUpgrade() {
        assertThat(HopByHopHeaders.upgradeRequested(new DefaultHttpHeaders()
                .add("Upgrade", "websocket").add("Connection", "keep-alive, Upgrade"))).isEqualTo("websocket");
        assertThat(HopByHopHeaders.upgradeRequested(new DefaultHttpHeaders().add("Upgrade", "websocket"))).isNull();
        assertThat(HopByHopHeaders.upgradeRequested(new DefaultHttpHeaders()
                .add("Upgrade", "").add("Connection", "upgrade"))).isNull();
    }
}
