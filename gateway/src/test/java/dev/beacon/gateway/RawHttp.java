package dev.beacon.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a raw socket, for what {@link java.net.http.HttpClient} will not do: requests
 * written back-to-back before any answer is read (pipelining), a body cut off mid-way, an
 * {@code Expect: 100-continue} whose interim answer the test reads itself. Answers are read one at a
 * time, framed by {@code Content-Length} (the gateway always sends it).
 */
final class RawHttp implements AutoCloseable {
  /** One answer: its status, its headers (names in lower case) and its body. */
  record Answer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(URI base, Duration readTimeout) throws IOException {
    socket = new Socket(base.getHost(), base.getPort());
    socket.setTcpNoDelay(true);
    socket.setSoTimeout((int) readTimeout.toMillis());
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** A POST with Basic auth for {@code key} (none when null) and any extra header lines. */
  static byte[] post(String path, String key, String body, String... extraHeaders) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder h = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .append("Content-Type: application/json\r\nContent-Length: ").append(b.length).append("\r\n");
    if (key != null) {
      h.append("Authorization: ").append(GatewayFixture.basic(key)).append("\r\n");
    }
    for (String x : extraHeaders) {
      h.append(x).append("\r\n");
    }
    h.append("\r\n");
    return concat(h.toString().getBytes(StandardCharsets.ISO_8859_1), b);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      o.writeBytes(p);
    }
    return o.toByteArray();
  }

  void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** Closes the socket with a reset rather than an orderly FIN, as a client that crashed would. */
  void abort() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  /**
   * Reads the next answer (interim 1xx answers included).
   *
   * @return the answer, or null when the server closed the connection before a status line
   */
  Answer read() throws IOException {
    String status = line();
    if (status == null) {
      return null;
    }
    if (!status.startsWith("HTTP/1.1 ")) {
      throw new IOException("not an HTTP/1.1 status line: " + status);
    }
    int code = Integer.parseInt(status.substring(9, 12));
    Map<String, String> headers = new LinkedHashMap<>();
    for (String l = line(); l != null && !l.isEmpty(); l = line()) {
      int colon = l.indexOf(':');
      headers.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
    }
    int length = code / 100 == 1 || code == 204 ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    if (body.length < length) {
      throw new IOException("the connection closed after " + body.length + " of " + length + " body bytes");
    }
    return new Answer(code, headers, new String(body, StandardCharsets.UTF_8));
  }

  /** True when the server closed the connection (end of stream) before sending anything more. */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        byte[] l = b.toByteArray();
        int n = l.length > 0 && l[l.length - 1] == '\r' ? l.length - 1 : l.length;
        return new String(l, 0, n, StandardCharsets.ISO_8859_1);
      }
      b.write(c);
    }
    return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
