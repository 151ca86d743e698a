package dev.beacon.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in loopback collector in counting mode, used until the testkit's CollectorServer is on
 * main: it accepts any POST, counts the messages in the body by their {@code "messageId"} keys
 * without parsing the JSON, and answers 200 {@code {"success":true}}. Nagle is off
 * ({@code sun.net.httpserver.nodelay}), so the server adds no 40 ms delay of its own.
 */
final class CountingReceiver implements Receiver {
  private static final byte[] KEY = "\"messageId\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] OK = "{\"success\":true}".getBytes(StandardCharsets.US_ASCII);

  private final HttpServer server;
  private final ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
    Thread t = new Thread(r, "counting-receiver");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();

  CountingReceiver() throws IOException {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    server.createContext("/", this::handle);
    server.setExecutor(pool);
    server.start();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      InputStream in = ex.getRequestBody();
      if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
        in = new GZIPInputStream(in, 64 * 1024);
      }
      events.addAndGet(count(in));
      requests.incrementAndGet();
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, OK.length);
      ex.getResponseBody().write(OK);
    }
  }

  /** Counts occurrences of the key, across buffer boundaries. */
  private static long count(InputStream in) throws IOException {
    byte[] buf = new byte[64 * 1024];
    long n = 0;
    int matched = 0;
    int r;
    while ((r = in.read(buf)) > 0) {
      for (int i = 0; i < r; i++) {
        byte b = buf[i];
        if (b == KEY[matched]) {
          if (++matched == KEY.length) {
            n++;
            matched = 0;
          }
        } else {
          matched = b == KEY[0] ? 1 : 0;
        }
      }
    }
    return n;
  }

  @Override
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

 
  public long events() {
    return events.get();
  }

  @Override
  public long requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
