package io.podrouter.directory;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.podrouter.config.HostAndPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reference directory speaks HTTP/1.1 and, for the seed's HAProxy Lua, HTTP/0.9 simple requests. */
class DirectoryServerTest {
    EventLoopGroup group;
    DirectoryServer directory;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        directory = DirectoryServer.start(null, HostAndPort.parse("127.0.0.1:0"), group, NioServerSocketChannel.class);
        directory.put("tenant1.example.com", "pod1");
    }

    @AfterEach
    void stop() {
        directory.close();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Sends what the seed's Lua sends and reads, like its {@code receive("*a")}, to end of stream. */
    private String askLikeTheSeed(String line) throws IOException {
        try (Socket s = new Socket("127.0.0.1", directory.localAddress().getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(line.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theSeedsSimpleRequestGetsTheBareBackendAndAClose() throws Exception {
        assertThat(askLikeTheSeed("GET /rest/private/gds/backend/tenant1.example.com\r\n")).isEqualTo("pod1");
        assertThat(askLikeTheSeed("GET /rest/private/gds/backend/TENANT1.example.com\n")).as("bare LF, any case").isEqualTo("pod1");
        assertThat(askLikeTheSeed("GET /rest/private/gds/backend/nobody.example.com\r\n")).as("no tenant: nothing").isEmpty();
        assertThat(askLikeTheSeed("GET /elsewhere\r\n")).isEmpty();
        assertThat(directory.lookups()).isEqualTo(3);
    }

    @Test
    void http11RequestsStillGetStatusAndHeadersOnTheSamePort() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + directory.localAddress().getPort() + DirectoryServer.PREFIX;
        HttpResponse<String> hit = client.send(HttpRequest.newBuilder(URI.create(base + "tenant1.example.com")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hit.statusCode()).isEqualTo(200);
        assertThat(hit.body()).isEqualTo("pod1");
        HttpResponse<String> miss = client.send(HttpRequest.newBuilder(URI.create(base + "nobody.example.com")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(miss.statusCode()).isEqualTo(404);

        String raw = askLikeTheSeed("GET /rest/private/gds/backend/tenant1.example.com HTTP/1.0\r\n\r\n");
        assertThat(raw).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\npod1");
    }
}
