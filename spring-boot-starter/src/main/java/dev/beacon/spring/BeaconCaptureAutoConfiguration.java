package dev.beacon.spring;

import dev.beacon.spi.Transport;
import dev.beacon.testkit.CapturingTransport;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Test support, imported only by {@link AutoConfigureBeaconCapture} (never listed for production
 * auto-configuration): a {@link CapturingTransport} bean that the auto-configured client sends to
 * instead of the network.
 */
@AutoConfiguration(before = BeaconAutoConfiguration.class)
@ConditionalOnClass(CapturingTransport.class)
public class BeaconCaptureAutoConfiguration {
  /** Created by Spring. */
  public BeaconCaptureAutoConfiguration() {}

  /**
   * The capture, unless the test defines its own transport.
   *
   * @return a capture; the client closes it when the context closes
   */
  @Bean
  @ConditionalOnMissingBean(Transport.class)
  public CapturingTransport beaconCapturingTransport() {
    return new CapturingTransport();
  }
}
