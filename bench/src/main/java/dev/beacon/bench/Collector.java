package dev.beacon.bench;

import dev.beacon.testkit.CollectorServer;
import java.net.URI;

/**
 * Starts the loopback collector the side-by-side runs send to: the testkit's
 * {@link CollectorServer} in counting mode (it reads and counts each request without parsing or
 * validating it, so it is not the bottleneck), with Nagle off so it adds no delay of its own.
 */
final class Collector {
  private Collector() {}

  static Receiver start() {
    System.setProperty("sun.net.httpserver.nodelay", "true");
    CollectorServer server = CollectorServer.builder().writeKey(SideBySide.WRITE_KEY).countOnly(true).build().start();
    return new Receiver() {
      @Override
      public URI endpoint() {
        return server.uri();
      }

      @Override
      public long requests() {
        return server.stats().acceptedRequests();
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }
}
