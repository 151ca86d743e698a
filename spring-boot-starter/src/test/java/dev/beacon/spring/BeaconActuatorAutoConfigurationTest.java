package dev.beacon.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.micrometer.BeaconMetrics;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.Fault;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Metrics and health: their conditions, and what they report for a real client. */
class BeaconActuatorAutoConfigurationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
          CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
          BeaconCaptureAutoConfiguration.class, BeaconAutoConfiguration.class, BeaconMetricsAutoConfiguration.class,
          BeaconHealthContributorAutoConfiguration.class))
      .withPropertyValues("beacon.batch.flush-at=1", "beacon.retry.max-retries=0");

  @Test
  void metersAreBoundToTheRegistryWithTheClientName() {
    runner.withPropertyValues("beacon.client-name=shop").run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.track("user_1", "Counted");
      analytics.flush(WAIT);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.get("beacon.messages.delivered").tag("client", "shop").functionCounter().count())
          .isEqualTo(1);
      assertThat(registry.get("beacon.messages.pending").tag("client", "shop").gauge().value()).isZero();
      assertThat(registry.get("beacon.requests.duration").tag("client", "shop").tag("outcome", "delivered")
          .timer().count()).isEqualTo(1);
      assertThat(registry.get("beacon.batches.messages").tag("client", "shop").summary().totalAmount())
          .isEqualTo(1);
    });
  }

  @Test
  void noMetricsWithoutMicrometerOrTheBinderModule() {
    runner.withClassLoader(new FilteredClassLoader(BeaconMetrics.class))
        .run(context -> assertThat(context).hasSingleBean(Analytics.class).doesNotHaveBean(BeaconMetrics.class));
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(BeaconCaptureAutoConfiguration.class, BeaconAutoConfiguration.class,
            BeaconMetricsAutoConfiguration.class))
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> assertThat(context).hasSingleBean(Analytics.class).doesNotHaveBean(BeaconMetrics.class));
  }

  @Test
  void metricsAndHealthFollowAnApplicationsOwnClient() {
    runner.withUserConfiguration(OwnClient.class).run(context -> {
      assertThat(context).hasSingleBean(BeaconMetrics.class).hasSingleBean(BeaconHealthIndicator.class);
      assertThat(context.getBean(BeaconHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
    });
  }

  @Test
  void noHealthIndicatorWithoutActuatorOrWhenDisabled() {
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(context -> assertThat(context).hasSingleBean(Analytics.class).doesNotHaveBean(BeaconHealthIndicator.class));
    runner.withPropertyValues("management.health.beacon.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(BeaconHealthIndicator.class));
    runner.withPropertyValues("beacon.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(BeaconHealthIndicator.class)
            .doesNotHaveBean(BeaconMetrics.class));
  }

  @Test
  void healthIsUpWithCountsAsDetails() {
    runner.run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.track("user_1", "Fine");
      analytics.flush(WAIT);
      Health health = context.getBean(BeaconHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("delivered", 1L).containsEntry("pending", 0L)
          .containsEntry("spoolDegraded", false).doesNotContainKey("lastFailure");
    });
  }

  @Test
  void healthIsDownAfterTheWriteKeyIsRefusedUntilADeliverySucceeds() {
    runner.withPropertyValues("beacon.write-key=refused-key").run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      CapturingTransport capture = context.getBean(CapturingTransport.class);
      BeaconHealthIndicator indicator = context.getBean(BeaconHealthIndicator.class);

      capture.failNext(1, Fault.permanent(401));
      analytics.track("user_1", "Refused");
      analytics.flush(WAIT);
      Health down = indicator.health();
      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat(down.getDetails()).containsEntry("failedByReason", Map.of("unauthorized", 1L));
      assertThat(down.getDetails().get("lastFailure")).asString().contains("unauthorized").contains("401");
      assertThat(down.toString()).doesNotContain("refused-key");

      analytics.track("user_1", "Accepted Again");
      analytics.flush(WAIT);
      assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    });
  }

  @Test
  void healthIsDegradedWhileDeliveriesKeepFailing() {
    runner.run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      CapturingTransport capture = context.getBean(CapturingTransport.class);
      BeaconHealthIndicator indicator = context.getBean(BeaconHealthIndicator.class);

      capture.failNext(2, Fault.retryable(503));
      analytics.track("user_1", "Lost 1");
      analytics.flush(WAIT);
      analytics.track("user_1", "Lost 2");
      analytics.flush(WAIT);
      Health degraded = indicator.health();
      assertThat(degraded.getStatus()).isEqualTo(BeaconHealthIndicator.DEGRADED);
      assertThat(degraded.getDetails().get("error")).asString().contains("2 message(s) failed since the last delivery");

      analytics.track("user_1", "Delivered");
      analytics.flush(WAIT);
      assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    });
  }

  @Test
  void healthIsDegradedAndTheGaugeSetWhileTheSpoolCannotBeWritten() {
    runner.withBean(BeaconBuilderCustomizer.class, () -> b -> b.spool(new BrokenSpool())).run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      assertThat(analytics.track("user_1", "Kept In Memory")).isTrue();
      assertThat(analytics.flush(WAIT).isSuccess()).as("delivered from memory").isTrue();
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!analytics.stats().spoolDegraded() && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // poll; the deadline only guards a failure
      }
      Health health = context.getBean(BeaconHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(BeaconHealthIndicator.DEGRADED);
      assertThat(health.getDetails()).containsEntry("spoolDegraded", true);
      assertThat(context.getBean(MeterRegistry.class).get("beacon.spool.degraded").gauge().value()).isEqualTo(1);
    });
  }

  @Test
  void aRejectedBatchDoesNotMakeTheClientUnhealthy() {
    runner.run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      context.getBean(CapturingTransport.class).failNext(1, Fault.permanent(400));
      analytics.track("user_1", "Bad Data");
      analytics.flush(WAIT);
      Health health = context.getBean(BeaconHealthIndicator.class).health();
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("failedByReason", Map.of("rejected", 1L));
    });
  }

  @Test
  void healthIsDownOnceTheClientIsClosed() {
    runner.run(context -> {
      context.getBean(Analytics.class).close();
      assertThat(context.getBean(BeaconHealthIndicator.class).health().getStatus()).isEqualTo(Status.DOWN);
    });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnClient {
    @Bean(destroyMethod = "close")
    Analytics analytics() {
      return Analytics.builder("own-key").send(false).shutdownHook(false).build();
    }
  }
}
