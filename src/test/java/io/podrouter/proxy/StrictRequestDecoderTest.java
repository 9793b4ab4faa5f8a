package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StrictRequestDecoderTest {
    final EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(new HttpDecoderConfig()
            .setMaxInitialLineLength(256).setMaxHeaderSize(1024).setStrictLineParsing(true)));
    final List<Object> decoded = new ArrayList<>();

    @AfterEach
    void release() {
        decoded.forEach(ReferenceCountUtil::release);
        channel.finishAndReleaseAll();
    }

    private List<Object> decode(String... pieces) {
        for (String piece : pieces) {
            channel.writeInbound(Unpooled.copiedBuffer(piece, StandardCharsets.ISO_8859_1));
        }
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            decoded.add(msg);
        }
        return decoded;
    }

    private static Throwable failure(Object msg) {
        return ((HttpRequest) msg).decoderResult().cause();
    }

    @Test
    void aPlainRequestIsDecodedAsNettyDecodesIt() {
        List<Object> out = decode("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(out).hasSize(2);
        assertThat(((HttpRequest) out.get(0)).uri()).isEqualTo("/a");
        assertThat(((HttpRequest) out.get(0)).decoderResult().isSuccess()).isTrue();
        assertThat(out.get(1)).isInstanceOf(LastHttpContent.class);
    }

    @Test
    void aHeadThatArrivesInPiecesIsCheckedOnceWhole() {
        List<Object> out = decode("GET /a HTTP/1.1\r\nHo", "st: h\r\n", "\r\n");
        assertThat(((HttpRequest) out.get(0)).decoderResult().isSuccess()).isTrue();
    }

    @Test
    void obsFoldIsRejectedAndTheRestOfTheConnectionIgnored() {
        List<Object> out = decode("GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(out).hasSize(1);
        assertThat(failure(out.get(0))).hasMessageContaining("obs-fold");
        assertThat(decode("GET /later HTTP/1.1\r\nHost: h\r\n\r\n")).hasSize(1);
    }

    @Test
    void twoContentLengthsAreRejectedInHttp10Too() {
        List<Object> out = decode("POST / HTTP/1.0\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\nab");
        assertThat(out).hasSize(1);
        assertThat(failure(out.get(0))).hasMessageContaining("more than one Content-Length");
    }

    @Test
    void aFoldInTheBodyIsNoFold() {
        List<Object> out = decode("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n\r\n a");
        assertThat(((HttpRequest) out.get(0)).decoderResult().isSuccess()).isTrue();
        assertThat(((HttpContent) out.get(out.size() - 1)).decoderResult().isSuccess()).isTrue();
    }

    @Test
    void aPipelinedSecondRequestIsCheckedAsItsOwnHead() {
        List<Object> out = decode("GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n");
        assertThat(((HttpRequest) out.get(0)).decoderResult().isSuccess()).isTrue();
        assertThat(failure(out.get(out.size() - 1))).hasMessageContaining("obs-fold");
    }

    @Test
    void aTooLongLineOrHeadIsLeftToNettysLimits() {
        assertThat(failure(decode("GET /" + "a".repeat(300) + " HTTP/1.1\r\n\r\n").get(0)))
                .isInstanceOf(TooLongHttpLineException.class);
    }

    @Test
    void aTooLargeHeadIsRefusedBeforeItEnds() {
        List<Object> out = decode("GET / HTTP/1.1\r\nX: " + "a".repeat(2000) + "\r\n");
        assertThat(failure(out.get(0))).isInstanceOf(TooLongHttpHeaderException.class);
    }
}
