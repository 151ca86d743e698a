package dev.beacon.examples.docs;

import static dev.beacon.testkit.BeaconAssertions.assertThat;

import dev.beacon.testkit.BeaconExtension;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A JUnit 5 test that customises the client {@link BeaconExtension} builds. Quoted by the docs;
 * {@code RegisteredExtensionTestRunsTest} runs it.
 */
// tag::register-extension[]
public class RegisteredExtensionTest {
  @RegisterExtension
  final BeaconExtension beacon = new BeaconExtension(builder -> builder
      .flushTimeout(Duration.ofSeconds(5)));

  @Test
  void aRetriedOrderIsDeliveredOnce() {
    beacon.capture().failNext(1, Fault.retryAfter(429, Duration.ofMillis(10)));
    new Checkout(beacon.analytics()).complete("user_123", "ORD-9", 10.0);
    beacon.analytics().flush();

    assertThat(beacon.capture()).hasMessageCount(1).hasNoDuplicateMessageIds();
  }
}
// end::register-extension[]
