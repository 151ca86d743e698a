package dev.beacon.testkit;

import dev.beacon.Analytics;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives each test a fresh {@link Analytics} wired to a
 * {@link CapturingTransport}, and closes it afterwards.
 *
 * <pre>{@code
 * @ExtendWith(BeaconExtension.class)
 * class CheckoutTest {
 *   @Test
 *   void ordersAreTracked(Analytics analytics, CapturingTransport capture) {
 *     checkout(analytics);
 *     analytics.flush();
 *     assertThat(capture).hasTracked("Order Completed");
 *   }
 * }
 * }</pre>
 *
 * <p>Or with {@code @RegisterExtension static BeaconExtension beacon = new BeaconExtension(b -> b.flushAt(1));}
 * to customise the builder, then {@code beacon.analytics()} and {@code beacon.capture()}.
 */
public final class BeaconExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final UnaryOperator<Analytics.Builder> customizer;
  private Analytics analytics;
  private CapturingTransport capture;

  /** An extension with Beacon's defaults (plus {@code flushAt(1)}, no shutdown hook). */
  public BeaconExtension() {
    this(UnaryOperator.identity());
  }

  /**
   * An extension whose builder the test customises.
   *
   * @param customizer changes the builder before {@code build()}
   */
  public BeaconExtension(UnaryOperator<Analytics.Builder> customizer) {
    this.customizer = customizer;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    capture = new CapturingTransport();
    analytics = customizer.apply(Analytics.builder("beacon-test-write-key")
        .transport(capture).flushAt(1).shutdownHook(false)).build();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (analytics != null) {
      analytics.close();
    }
  }

  /**
   * Returns the current test's client.
   *
   * @return the client
   */
  public Analytics analytics() {
    return analytics;
  }

  /**
   * Returns the current test's capture.
   *
   * @return the capture
   */
  public CapturingTransport capture() {
    return capture;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    Class<?> type = parameterContext.getParameter().getType();
    return type == Analytics.class || type == CapturingTransport.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == Analytics.class ? analytics : capture;
  }
}
