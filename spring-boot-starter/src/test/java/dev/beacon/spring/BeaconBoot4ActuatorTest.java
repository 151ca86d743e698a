package dev.beacon.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.micrometer.BeaconMetrics;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

/**
 * Metrics and health on Spring Boot 4.x (health in {@code spring-boot-health}, metrics
 * auto-configuration in {@code spring-boot-micrometer-metrics}). Runs in
 * spring-boot-starter/boot4-tests/4.0 and 4.1; the 3.5 run leaves it out (its twin there is
 * {@link BeaconActuatorAutoConfigurationTest}). Boot 4's metrics auto-configurations are named,
 * not imported, so that this class compiles on the 3.5 class path too.
 */
class BeaconBoot4ActuatorTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(classes(
          "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
          "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
          "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration")))
      .withConfiguration(AutoConfigurations.of(BeaconCaptureAutoConfiguration.class, BeaconAutoConfiguration.class,
          BeaconMetricsAutoConfiguration.class, BeaconHealthContributorAutoConfiguration.class,
          BeaconBoot4HealthContributorAutoConfiguration.class))
      .withPropertyValues("beacon.batch.flush-at=1", "beacon.retry.max-retries=0");

  private static Class<?>[] classes(String... names) {
    return Arrays.stream(names).map(n -> ClassUtils.resolveClassName(n, null)).toArray(Class<?>[]::new);
  }

  @Test
  void theBoot3HealthApiIsAbsentHere() {
    assertThat(ClassUtils.isPresent("org.springframework.boot.actuate.health.HealthIndicator", null)).isFalse();
  }

  @Test
  void metersAreBoundToTheRegistryWithTheClientName() {
    runner.withPropertyValues("beacon.client-name=shop").run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.track("user_1", "Counted");
      analytics.flush(WAIT);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.get("beacon.messages.delivered").tag("client", "shop").functionCounter().count())
          .isEqualTo(1);
      assertThat(registry.get("beacon.requests.duration").tag("client", "shop").tag("outcome", "delivered")
          .timer().count()).isEqualTo(1);
    });
  }

  @Test
  void theHealthComponentIsTheBoot4IndicatorAndOnlyThatOne() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(BeaconBoot4HealthIndicator.class).hasBean("beaconHealthIndicator");
      Health health = context.getBean(BeaconBoot4HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("delivered", 0L).containsKey("accepted");
    });
  }

  @Test
  void aTransientFailureMakesTheComponentDegraded() {
    runner.withUserConfiguration(FailingTransport.class).run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.track("user_1", "Lost");
      analytics.flush(WAIT);
      Health health = context.getBean(BeaconBoot4HealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(BeaconBoot4HealthIndicator.DEGRADED);
      assertThat(health.getStatus().getCode()).isEqualTo(BeaconHealthIndicator.DEGRADED_CODE);
    });
  }

  @Test
  void noHealthIndicatorWithoutSpringBootHealthOrWhenDisabled() {
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasSingleBean(Analytics.class)
            .doesNotHaveBean(BeaconBoot4HealthIndicator.class));
    runner.withPropertyValues("management.health.beacon.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(BeaconBoot4HealthIndicator.class));
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BeaconCaptureAutoConfiguration.class, BeaconAutoConfiguration.class,
            BeaconMetricsAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> assertThat(context).hasSingleBean(Analytics.class).doesNotHaveBean(BeaconMetrics.class));
  }

  @Configuration(proxyBeanMethods = false)
  static class FailingTransport {
    @Bean
    CapturingTransport capture() {
      return new CapturingTransport().failNext(1, Fault.retryable(503));
    }
  }
}
