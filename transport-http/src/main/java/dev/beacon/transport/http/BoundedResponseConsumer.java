package dev.beacon.transport.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.hc.client5.http.async.methods.AbstractBinResponseConsumer;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.HttpResponse;

/**
 * Reads a response: its status, the headers the classifier needs, and at most
 * {@link #MAX_BODY_BYTES} of its body (the rest is read and discarded, so a chatty or hostile
 * server cannot make the client buffer megabytes).
 */
final class BoundedResponseConsumer extends AbstractBinResponseConsumer<BoundedResponseConsumer.Response> {
  /** The most body bytes kept. */
  static final int MAX_BODY_BYTES = 4096;

  private final byte[] body = new byte[MAX_BODY_BYTES];
  private int length;
  private int status;
  private String retryAfter;
  private String location;

  /** What was read of a response. */
  static final class Response {
    final int status;
    final String retryAfter;
    final String location;
    final String body;

    Response(int status, String retryAfter, String location, String body) {
      this.status = status;
      this.retryAfter = retryAfter;
      this.location = location;
      this.body = body;
    }
  }

  @Override
  protected void start(HttpResponse response, ContentType contentType) {
    status = response.getCode();
    retryAfter = value(response.getFirstHeader(HttpHeaders.RETRY_AFTER));
    location = value(response.getFirstHeader(HttpHeaders.LOCATION));
  }

  private static String value(Header h) {
    return h == null ? null : h.getValue();
  }

  @Override
  protected int capacityIncrement() {
    return 16 * 1024;
  }

  @Override
  protected void data(ByteBuffer src, boolean endOfStream) {
    int n = Math.min(src.remaining(), MAX_BODY_BYTES - length);
    if (n > 0) {
      src.get(body, length, n);
      length += n;
    }
    src.position(src.limit());
  }

  @Override
  protected Response buildResult() {
    return new Response(status, retryAfter, location, new String(body, 0, length, StandardCharsets.UTF_8));
  }

  @Override
  public void releaseResources() {
    // nothing pooled
  }
}
