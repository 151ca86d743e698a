package dev.beacon.spring;

import dev.beacon.Analytics;
import dev.beacon.micrometer.BeaconMetrics;
import dev.beacon.micrometer.BeaconRequestMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;

/**
 * Exposes {@link BeaconMetrics} for the context's {@link Analytics} client (ours or the
 * application's) when Micrometer and {@code beacon-micrometer} are on the class path. It is a
 * {@code MeterBinder} bean: Actuator's metrics auto-configuration binds it to every registry.
 * The {@code client} tag is {@code beacon.client-name}. The same on Spring Boot 3.5 and 4.x (where
 * the metrics auto-configuration moved to {@code spring-boot-micrometer-metrics}).
 */
@AutoConfiguration(after = BeaconAutoConfiguration.class,
    afterName = {
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration", // Boot 3.5
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"}) // Boot 4.x
@ConditionalOnClass({MeterRegistry.class, BeaconMetrics.class})
@ConditionalOnSingleCandidate(Analytics.class)
public class BeaconMetricsAutoConfiguration {
  /** Created by Spring. */
  public BeaconMetricsAutoConfiguration() {}

  /**
   * The binder; its meters are removed when the context closes.
   *
   * @param analytics the client
   * @param properties the {@code beacon.*} properties, for the client name
   * @return the binder
   */
  @Bean
  @ConditionalOnMissingBean
  public BeaconMetrics beaconMetrics(Analytics analytics, ObjectProvider<BeaconProperties> properties) {
    BeaconProperties p = properties.getIfAvailable();
    return new BeaconMetrics(analytics, p == null ? BeaconMetrics.DEFAULT_CLIENT_NAME : p.clientName());
  }

  /**
   * Request metrics (a timer of each send attempt by outcome, batch sizes in messages and bytes),
   * fed by the client Beacon's auto-configuration builds; a {@code MeterBinder} too.
   *
   * @param properties the {@code beacon.*} properties, for the client name
   * @return the observer and binder
   */
  @Bean
  @ConditionalOnMissingBean
  public BeaconRequestMetrics beaconRequestMetrics(ObjectProvider<BeaconProperties> properties) {
    BeaconProperties p = properties.getIfAvailable();
    return new BeaconRequestMetrics(p == null ? BeaconMetrics.DEFAULT_CLIENT_NAME : p.clientName());
  }

  /**
   * Hands {@link BeaconRequestMetrics} to the builder of the client this starter creates (an
   * application that builds its own client passes it to {@code deliveryObserver} itself).
   *
   * @param requests the request metrics
   * @return the customizer
   */
  @Bean
  public BeaconBuilderCustomizer beaconRequestMetricsCustomizer(BeaconRequestMetrics requests) {
    return b -> b.deliveryObserver(requests);
  }
}
