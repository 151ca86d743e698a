package dev.beacon.spring;

import dev.beacon.Analytics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot 3.5: contributes {@link BeaconHealthIndicator} (component {@code beacon}) when Actuator
 * is on the class path and the context has one {@link Analytics} client, ours or the
 * application's. Turn it off with {@code management.health.beacon.enabled=false}.
 */
@AutoConfiguration(after = BeaconAutoConfiguration.class)
// By name: on Boot 4 these classes are absent, and a class literal that cannot be loaded would
// drop the condition when the configuration is read by reflection instead of ASM.
@ConditionalOnClass(name = {"org.springframework.boot.actuate.health.HealthIndicator",
    "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator"})
@ConditionalOnSingleCandidate(Analytics.class)
@ConditionalOnEnabledHealthIndicator("beacon")
public class BeaconHealthContributorAutoConfiguration {
  /** Created by Spring. */
  public BeaconHealthContributorAutoConfiguration() {}

  /**
   * The health indicator.
   *
   * @param analytics the client
   * @param monitor the delivery monitor, when the client was built with it
   * @return the indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "beaconHealthIndicator")
  public BeaconHealthIndicator beaconHealthIndicator(Analytics analytics,
      ObjectProvider<BeaconDeliveryMonitor> monitor) {
    return new BeaconHealthIndicator(analytics, monitor.getIfUnique());
  }
}
