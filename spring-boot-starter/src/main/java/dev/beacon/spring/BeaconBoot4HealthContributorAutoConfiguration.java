package dev.beacon.spring;

import dev.beacon.Analytics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Spring Boot 4.x: contributes {@link BeaconBoot4HealthIndicator} (component {@code beacon}) when
 * {@code spring-boot-health} is on the class path (Actuator brings it) and the context has one
 * {@link Analytics} client. On Boot 3.5 {@link BeaconHealthContributorAutoConfiguration} does the
 * same; each stays out on the other line, as its classes are absent there. Turn it off with
 * {@code management.health.beacon.enabled=false}.
 */
@AutoConfiguration(after = BeaconAutoConfiguration.class)
// By name: on Boot 3.5 these classes are absent, and a class literal that cannot be loaded would
// drop the condition when the configuration is read by reflection instead of ASM.
@ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
    "org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator"})
@ConditionalOnSingleCandidate(Analytics.class)
@ConditionalOnEnabledHealthIndicator("beacon")
public class BeaconBoot4HealthContributorAutoConfiguration {
  /** Created by Spring. */
  public BeaconBoot4HealthContributorAutoConfiguration() {}

  /**
   * The health indicator.
   *
   * @param analytics the client
   * @param monitor the delivery monitor, when the client was built with it
   * @return the indicator
   */
  @Bean
  @ConditionalOnMissingBean(name = "beaconHealthIndicator")
  public BeaconBoot4HealthIndicator beaconHealthIndicator(Analytics analytics,
      ObjectProvider<BeaconDeliveryMonitor> monitor) {
    return new BeaconBoot4HealthIndicator(analytics, monitor.getIfUnique());
  }
}
