package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.podrouter.Podrouter;
import io.podrouter.demo.SelfSignedCertificate;
import io.podrouter.testing.RawHttp;
import io.podrouter.testing.RouterFixture;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpstreamTlsTest {
    static EventLoopGroup group;
    static Channel server;
    static SelfSignedCertificate.PemFiles cert;
    static int port;

    /** An HTTPS server whose certificate is for pod.internal, answering "tls ok". */
    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        cert = SelfSignedCertificate.write(dir, "pod", List.of("pod.internal"), true);
        SslContext ctx = SslContextBuilder.forServer(cert.cert().toFile(), cert.key().toFile()).build();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        server = new io.netty.bootstrap.ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(ctx.newHandler(ch.alloc()), new HttpServerCodec(), new HttpObjectAggregator(65536),
                                new SimpleChannelInboundHandler<FullHttpRequest>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext c, FullHttpRequest r) {
                                        byte[] body = ("tls ok " + r.uri()).getBytes(StandardCharsets.UTF_8);
                                        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                                        HttpUtil.setContentLength(resp, body.length);
                                        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
                                        c.writeAndFlush(resp);
                                    }
                                });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    @AfterAll
    static void stop() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static int get(Podrouter router, String path) throws Exception {
        try (RawHttp http = new RawHttp(router.port())) {
            RawHttp.Response r = http.send("GET " + path + " HTTP/1.1\r\nHost: t.example.com\r\n\r\n").read();
            if (r.status() == 200) {
                assertThat(r.body()).isEqualTo("tls ok " + path);
            }
            return r.status();
        }
    }

    @Test
    void aServerWithAVerifiedCertificateIsReachedOverTls(@TempDir Path dir) throws Exception {
        try (Podrouter router = new RouterFixture(dir).podYaml("pod0", "servers:\n  - address: 127.0.0.1:" + port
                        + "\n    tls: true\n    ca: " + cert.cert() + "\n    sni: pod.internal\n")
                .route("t.example.com", "pod0").start()) {
            for (int i = 0; i < 3; i++) {
                assertThat(get(router, "/v" + i)).isEqualTo(200);
            }
        }
    }

    @Test
    void aCertificateThatDoesNotVerifyIsRefusedWith502(@TempDir Path dir) throws Exception {
        // Trusted CA, but the name does not match.
        try (Podrouter router = new RouterFixture(dir).podYaml("pod0", "servers:\n  - address: 127.0.0.1:" + port
                        + "\n    tls: true\n    ca: " + cert.cert() + "\n    sni: other.internal\n")
                .route("t.example.com", "pod0").start()) {
            assertThat(get(router, "/x")).isEqualTo(502);
        }
        // Not trusted at all (the JDK's roots).
        try (Podrouter router = new RouterFixture(dir).podYaml("pod0", "servers:\n  - address: 127.0.0.1:" + port
                        + "\n    tls: true\n")
                .route("t.example.com", "pod0").start()) {
            assertThat(get(router, "/x")).isEqualTo(502);
        }
        // verify: false accepts it.
        try (Podrouter router = new RouterFixture(dir).podYaml("pod0", "servers:\n  - address: 127.0.0.1:" + port
                        + "\n    tls: true\n    verify: false\n")
                .route("t.example.com", "pod0").start()) {
            assertThat(get(router, "/y")).isEqualTo(200);
        }
    }
}
