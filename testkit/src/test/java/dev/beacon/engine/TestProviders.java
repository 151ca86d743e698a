package dev.beacon.engine;

import dev.beacon.spi.Transport;
import dev.beacon.spi.TransportContext;
import dev.beacon.spi.TransportProvider;
import dev.beacon.testkit.CapturingTransport;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Two providers registered under META-INF/services for discovery tests. */
final class TestProviders {
  /** Last transport each provider created, and the context it got. */
  static final Map<String, CapturingTransport> CREATED = new ConcurrentHashMap<>();
  static final Map<String, TransportContext> CONTEXTS = new ConcurrentHashMap<>();

  private TestProviders() {}

  public static final class Alpha implements TransportProvider {
    @Override
    public String name() {
      return "alpha";
    }

    @Override
    public Transport create(TransportContext context) {
      CapturingTransport t = new CapturingTransport();
      CREATED.put(name(), t);
      CONTEXTS.put(name(), context);
      return t;
    }
  }

  public static final class Beta implements TransportProvider {
    @Override
    public String name() {
      return "beta";
    }

    @Override
    public int priority() {
      return 5;
    }

    @Override
    public Transport create(TransportContext context) {
      CapturingTransport t = new CapturingTransport();
      CREATED.put(name(), t);
      CONTEXTS.put(name(), context);
      return t;
    }
  }
}
