package dev.beacon.transport.http;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.apache.hc.client5.http.impl.async.HttpAsyncClientBuilder;

/**
 * What the Apache HttpClient 5 on the class path offers, found once by looking, never assumed:
 * the transport runs on every httpclient5 5.4.x–5.6.x (with httpcore5 5.3.x–5.4.x), the versions
 * Spring Boot 3.5 and 4.x manage, while it is compiled against the newest.
 *
 * <p>{@code HttpAsyncClientBuilder.disableContentCompression()} exists from 5.6, which added
 * transparent response decompression ({@code ContentCompressionAsyncExec}: an
 * {@code Accept-Encoding} header and a decoding consumer) to the async client. Beacon compresses
 * its own request bodies and reads only small, bounded responses: its request config already
 * turns the stage off per request on every version, and where the switch exists the stage is left
 * out of the client altogether. Before 5.6 the async client has no such stage: there is nothing
 * to turn off, and the requests on the wire are the same ({@code ContentCompressionTest}).
 */
final class HttpClientFeatures {
  /** {@code disableContentCompression()}, or null when this httpclient5 predates 5.6. */
  private static final MethodHandle DISABLE_CONTENT_COMPRESSION = find(HttpAsyncClientBuilder.class,
      "disableContentCompression");

  private HttpClientFeatures() {}

  /**
   * Whether the async client on the class path decompresses responses by itself (httpclient5 5.6+).
   *
   * @return true when {@link #disableContentCompression} has something to turn off
   */
  static boolean hasContentCompression() {
    return DISABLE_CONTENT_COMPRESSION != null;
  }

  /**
   * Turns off the async client's transparent response decompression where it exists.
   *
   * @param builder the client builder
   * @return the builder
   */
  static HttpAsyncClientBuilder disableContentCompression(HttpAsyncClientBuilder builder) {
    if (DISABLE_CONTENT_COMPRESSION != null) {
      try {
        return (HttpAsyncClientBuilder) DISABLE_CONTENT_COMPRESSION.invoke(builder);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new IllegalStateException("HttpAsyncClientBuilder.disableContentCompression() failed", e);
      }
    }
    return builder;
  }

  private static MethodHandle find(Class<?> type, String name) {
    try {
      return MethodHandles.publicLookup().findVirtual(type, name, MethodType.methodType(type));
    } catch (NoSuchMethodException | IllegalAccessException e) {
      return null;
    }
  }
}
