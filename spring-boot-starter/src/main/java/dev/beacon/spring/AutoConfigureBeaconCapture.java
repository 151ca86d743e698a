package dev.beacon.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;

/**
 * On a {@code @SpringBootTest} class: the auto-configured {@code Analytics} client sends to a
 * {@code CapturingTransport} bean (from {@code dev.beacon:beacon-testkit}, test scope) instead of
 * the network, and needs no write key. Inject the capture and assert on it:
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureBeaconCapture
 * class CheckoutTest {
 *   @Autowired Analytics analytics;
 *   @Autowired CapturingTransport capture;
 *
 *   @BeforeEach void forget() { capture.reset(); }   // the context, and so the capture, is cached across tests
 *
 *   @Test void ordersAreTracked() {
 *     checkout.complete("order-1");
 *     analytics.flush();
 *     BeaconAssertions.assertThat(capture).hasTracked("Order Completed");
 *   }
 * }
 * }</pre>
 *
 * A {@code dev.beacon.spi.Transport} bean of the test's own wins over the capture.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration(BeaconCaptureAutoConfiguration.class)
public @interface AutoConfigureBeaconCapture {}
