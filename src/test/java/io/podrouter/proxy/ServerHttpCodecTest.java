package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server connection's codec: what the decoder shares, what it keeps as the server sent it, and HEAD. */
class ServerHttpCodecTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new ServerHttpCodec(new HttpDecoderConfig()));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void sent(HttpMethod method) {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        for (Object o; (o = channel.readOutbound()) != null; ) {
            ReferenceCountUtil.release(o);
        }
    }

    private List<HttpObject> received(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.US_ASCII));
        List<HttpObject> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add((HttpObject) o);
        }
        return out;
    }

    private static List<HttpResponse> heads(List<HttpObject> out) {
        return out.stream().filter(o -> o instanceof HttpResponse).map(o -> (HttpResponse) o).toList();
    }

    private static String names(HttpResponse response) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<CharSequence, CharSequence> e : (Iterable<Map.Entry<CharSequence, CharSequence>>)
                response.headers()::iteratorCharSequence) {
            b.append(e.getKey()).append(';');
        }
        return b.toString();
    }

    @Test
    void theUsualResponseIsTheSharedConstantsAndNamesKeepTheServersSpelling() {
        sent(HttpMethod.GET);
        List<HttpObject> out = received("HTTP/1.1 200 OK\r\nServer: nginx\r\ncontent-type: text/plain\r\n"
                + "X-Custom-Thing: 1\r\nContent-Length: 3\r\n\r\npod");
        HttpResponse response = (HttpResponse) out.get(0);
        assertThat(response.decoderResult().isSuccess()).isTrue();
        assertThat(response.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
        assertThat(response.status()).isSameAs(HttpResponseStatus.OK);
        assertThat(names(response)).isEqualTo("Server;content-type;X-Custom-Thing;Content-Length;");
        assertThat(response.headers().get("content-length")).isEqualTo("3");
        assertThat(response.headers().get("server")).isEqualTo("nginx");
        LastHttpContent last = (LastHttpContent) out.get(out.size() - 1);
        assertThat(last.content().toString(StandardCharsets.US_ASCII)).isEqualTo("pod");
        assertThat(last.trailingHeaders().isEmpty()).isTrue();
        out.forEach(ReferenceCountUtil::release);
    }

    @Test
    void anUnusualStatusLineIsKeptAsSent() {
        sent(HttpMethod.GET);
        List<HttpObject> out = received("HTTP/1.0 200 Fine\r\nContent-Length: 0\r\n\r\n"
                + "HTTP/1.1 299 Whatever\r\nContent-Length: 0\r\n\r\n");
        HttpResponse first = (HttpResponse) out.get(0);
        assertThat(first.protocolVersion()).isSameAs(HttpVersion.HTTP_1_0);
        assertThat(first.status().code()).isEqualTo(200);
        assertThat(first.status().reasonPhrase()).isEqualTo("Fine");
        HttpResponse second = heads(out).get(1);
        assertThat(second.status().code()).isEqualTo(299);
        assertThat(second.status().reasonPhrase()).isEqualTo("Whatever");
        out.forEach(ReferenceCountUtil::release);
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsLengthSays() {
        sent(HttpMethod.HEAD);
        sent(HttpMethod.GET);
        List<HttpObject> out = received("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
        assertThat(heads(out)).hasSize(2);
        assertThat(out.stream().filter(o -> o instanceof LastHttpContent).count()).isEqualTo(2);
        String bodies = out.stream().filter(o -> o instanceof HttpContent)
                .map(o -> ((HttpContent) o).content().toString(StandardCharsets.US_ASCII)).reduce("", String::concat);
        assertThat(bodies).isEqualTo("hi");
        out.forEach(ReferenceCountUtil::release);
    }

    @Test
    void anInterimResponseDoesNotAnswerTheRequest() {
        sent(HttpMethod.HEAD);
        List<HttpObject> out = received("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
        assertThat(heads(out)).extracting(r -> r.status().code()).containsExactly(100, 200);
        // The 200 answers the HEAD: it is complete without the 10 bytes its length announces.
        assertThat(out.get(out.size() - 1)).isInstanceOf(LastHttpContent.class);
        out.forEach(ReferenceCountUtil::release);
    }

    @Test
    void trailersStillArrive() {
        sent(HttpMethod.GET);
        List<HttpObject> out = received("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nhi\r\n0\r\nX-Checksum: abc\r\nX-More: 1\r\nX-Even-More: 2\r\n\r\n");
        LastHttpContent last = (LastHttpContent) out.get(out.size() - 1);
        assertThat(last.trailingHeaders().get("x-checksum")).isEqualTo("abc");
        assertThat(last.trailingHeaders().size()).isEqualTo(3);
        out.forEach(ReferenceCountUtil::release);
    }
}
