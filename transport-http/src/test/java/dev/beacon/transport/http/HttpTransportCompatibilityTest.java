package dev.beacon.transport.http;

import dev.beacon.spi.Transport;
import dev.beacon.testkit.CollectorExtension;
import dev.beacon.testkit.MessageRecorder;
import dev.beacon.testkit.TransportCompatibilityKit;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SPI's compatibility kit, run against a real {@code CollectorServer}. */
class HttpTransportCompatibilityTest extends TransportCompatibilityKit {
  @RegisterExtension
  static final CollectorExtension COLLECTOR = new CollectorExtension(b -> b.writeKey("kit-write-key"));

  @Override
  protected Transport newTransport() {
    return HttpTransport.builder("kit-write-key").endpoint(COLLECTOR.uri()).build();
  }

  @Override
  protected MessageRecorder receiver() {
    return COLLECTOR.server();
  }

  @Override
  protected boolean failNext(int n, int status) {
    COLLECTOR.server().failNext(n, status);
    return true;
  }
}
