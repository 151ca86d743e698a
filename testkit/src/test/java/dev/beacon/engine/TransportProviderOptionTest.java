package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.spi.Transport;
import dev.beacon.spi.TransportContext;
import dev.beacon.spi.TransportProvider;
import dev.beacon.testkit.CapturingTransport;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code Analytics.Builder.transportProvider}: a transport made with the client's own context. */
class TransportProviderOptionTest {
  private final Set<Thread> made = ConcurrentHashMap.newKeySet();
  private final ThreadFactory threads = r -> {
    Thread t = new Thread(r, "beacon-provider-test");
    t.setDaemon(true);
    made.add(t);
    return t;
  };

  private static final class Provider implements TransportProvider {
    final AtomicReference<TransportContext> context = new AtomicReference<>();
    final CapturingTransport capture = new CapturingTransport();

    @Override
    public String name() {
      return "test";
    }

    @Override
    public Transport create(TransportContext c) {
      context.set(c);
      return capture;
    }
  }

  @Test
  void theProviderGetsTheClientsContextAndItsThreadFactory() {
    Provider provider = new Provider();
    URI endpoint = URI.create("http://127.0.0.1:9/");
    try (Analytics a = Analytics.builder("provider-write-key").endpoint(endpoint).shutdownHook(false)
        .threadFactory(threads).transportProvider(provider).build()) {
      a.track("u", "Provided");
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(provider.capture.messages()).hasSize(1);
      TransportContext c = provider.context.get();
      assertThat(c.writeKey()).isEqualTo("provider-write-key");
      assertThat(c.endpoint()).isEqualTo(endpoint);
      int before = made.size();
      Thread t = c.threadFactory().newThread(() -> { });
      assertThat(made).hasSize(before + 1).contains(t);
    }
  }

  @Test
  void anExplicitTransportWinsOverTheProvider() {
    Provider provider = new Provider();
    CapturingTransport own = new CapturingTransport();
    try (Analytics a = Analytics.builder("k").shutdownHook(false).transportProvider(provider).transport(own).build()) {
      a.track("u", "Own");
      assertThat(a.flush(WAIT).isSuccess()).isTrue();
      assertThat(own.messages()).hasSize(1);
      assertThat(provider.context.get()).isNull();
    }
  }
}
