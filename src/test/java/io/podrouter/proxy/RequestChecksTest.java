package io.podrouter.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.podrouter.routing.RequestRouter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestChecksTest {
    final EmbeddedPod pod = new EmbeddedPod();
    final RequestRouter router = pod.settings.router();

    @AfterEach
    void close() {
        pod.close();
    }

    private static HttpRequest request(HttpMethod method, String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    private static HttpRequest failed(Exception cause) {
        HttpRequest r = request(HttpMethod.GET);
        r.setDecoderResult(DecoderResult.failure(cause));
        return r;
    }

    @Test
    void anOrdinaryRequestMayBeRouted() {
        assertThat(RequestChecks.refusal(request(HttpMethod.POST, "Host", "t.example", "Transfer-Encoding", "Chunked"),
                null, router)).isNull();
    }

    @Test
    void whatTheDecoderCouldNotReadIsRefusedByItsCause() {
        assertThat(RequestChecks.refusal(failed(new TooLongHttpLineException("x")), null, router).status()).isEqualTo(414);
        assertThat(RequestChecks.refusal(failed(new TooLongHttpHeaderException("x")), null, router).status()).isEqualTo(431);
        assertThat(RequestChecks.refusal(failed(new IllegalArgumentException("x")), null, router).status()).isEqualTo(400);
    }

    @Test
    void connectIsRefused405() {
        assertThat(RequestChecks.refusal(request(HttpMethod.CONNECT, "Host", "t.example"), null, router).status())
                .isEqualTo(405);
    }

    @Test
    void aTransferCodingOtherThanChunkedIsRefused400() {
        assertThat(RequestChecks.refusal(request(HttpMethod.POST, "Transfer-Encoding", "gzip"), null, router))
                .isSameAs(RequestChecks.TRANSFER_CODING);
        assertThat(RequestChecks.refusal(request(HttpMethod.POST, "Transfer-Encoding", "chunked",
                "Transfer-Encoding", "chunked"), null, router)).isSameAs(RequestChecks.TRANSFER_CODING);
    }

    @Test
    void aHostOtherThanTheConnectionsServerNameIsRefused421WhenTheyMustMatch() {
        HttpRequest r = request(HttpMethod.GET, "Host", "other.example:443");
        assertThat(RequestChecks.refusal(r, "t.example", router).status()).isEqualTo(421);
        assertThat(RequestChecks.refusal(r, null, router)).as("no match required").isNull();
        assertThat(RequestChecks.refusal(request(HttpMethod.GET, "Host", "T.example."), "t.example", router)).isNull();
    }
}
