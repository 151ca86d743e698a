package dev.beacon.testkit;

import java.net.URI;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that starts a {@link CollectorServer} and stops it afterwards.
 *
 * <p>Registered on a static field, one server serves the whole class and is
 * {@linkplain CollectorServer#reset() reset} before each test; on an instance field, each test
 * gets a fresh server. Tests may also take a {@link CollectorServer} parameter.
 *
 * <pre>{@code
 * class DeliveryTest {
 *   @RegisterExtension
 *   static final CollectorExtension collector = new CollectorExtension(b -> b.writeKey("test-key"));
 *
 *   @Test
 *   void tracksArrive() {
 *     try (Analytics analytics = Analytics.builder("test-key").endpoint(collector.uri())
 *         .shutdownHook(false).build()) {
 *       analytics.track("user_1", "Signed Up");
 *     }
 *     BeaconAssertions.assertThat(collector.server()).hasTracked("Signed Up");
 *   }
 * }
 * }</pre>
 */
public final class CollectorExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final UnaryOperator<CollectorServer.Builder> customizer;
  private CollectorServer server;
  private boolean perClass;

  /** An extension whose server has every default (write key {@value CollectorServer#DEFAULT_WRITE_KEY}). */
  public CollectorExtension() {
    this(UnaryOperator.identity());
  }

  /**
   * An extension whose server the test configures.
   *
   * @param customizer changes the builder before {@code build()}
   */
  public CollectorExtension(UnaryOperator<CollectorServer.Builder> customizer) {
    this.customizer = customizer;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    server = customizer.apply(CollectorServer.builder()).build().start();
    perClass = true;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (perClass && server != null) {
      server.reset();
    } else {
      server = customizer.apply(CollectorServer.builder()).build().start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass && server != null) {
      server.close();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
    }
  }

  /**
   * Returns the running server.
   *
   * @return the server of the current test
   */
  public CollectorServer server() {
    if (server == null) {
      throw new IllegalStateException("the collector starts before each test (or before all, on a static field)");
    }
    return server;
  }

  /**
   * Returns the server's base URI, to use as a client's endpoint.
   *
   * @return e.g. {@code http://127.0.0.1:54321}
   */
  public URI uri() {
    return server().uri();
  }

  /**
   * Returns the write key the server accepts.
   *
   * @return the key, or null when it accepts any
   */
  public String writeKey() {
    return server().writeKey();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == CollectorServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return server();
  }
}
