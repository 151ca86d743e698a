package dev.beacon.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.DeliveryCallback;
import dev.beacon.ErrorHandler;
import dev.beacon.Message;
import dev.beacon.Track;
import dev.beacon.spi.MessageRejectedException;
import dev.beacon.spi.Plugin;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.Fault;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * What the starter wires from the application's beans and the tracking-plan properties; neutral
 * to the Boot line (this class also runs in spring-boot-starter/boot4-tests on Boot 4.0 and 4.1).
 */
class BeaconWiringTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String KEY = "wiring-test-key";
  private static CollectorServer collector;

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(BeaconAutoConfiguration.class));

  @BeforeAll
  static void startCollector() {
    collector = CollectorServer.builder().writeKey(KEY).build().start();
  }

  @AfterAll
  static void stopCollector() {
    collector.close();
  }

  @Test
  void everyDeliveryCallbackBeanGetsTheDeliveredMessagesInOrder() {
    runner.withUserConfiguration(Capture.class, Deliveries.class).withPropertyValues("beacon.batch.flush-at=1")
        .run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          analytics.track("u1", "Delivered");
          assertThat(analytics.flush(WAIT).isSuccess()).isTrue();
          Deliveries d = context.getBean(Deliveries.class);
          assertThat(d.calls).containsExactly("second:Delivered", "first:Delivered");
          // The first callback throws: counted, and the next one still ran.
          assertThat(analytics.stats().callbackErrors()).isEqualTo(1);
          assertThat(analytics.stats().delivered()).isEqualTo(1);
        });
  }

  @Test
  void everyErrorHandlerBeanGetsTheFailedMessages() {
    runner.withUserConfiguration(FailingCapture.class, Errors.class).withPropertyValues("beacon.batch.flush-at=1")
        .run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          analytics.track("u1", "Refused");
          analytics.flush(WAIT);
          assertThat(context.getBean(Errors.class).calls).containsExactly("a:Refused", "b:Refused");
        });
  }

  @Test
  void pluginBeansRunInTheirOrderAroundTheTrackingPlan() {
    runner.withUserConfiguration(Capture.class, Plugins.class).withPropertyValues("beacon.batch.flush-at=1",
        "beacon.tracking-plan.location=classpath:beacon-test-plan.json", "beacon.tracking-plan.mode=strict")
        .run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          // The enricher (order -10) adds the orderId before the plan (order 0) checks it; the
          // redactor (unordered, so last) then removes a secret the plan never sees missing.
          assertThat(analytics.track("u1", "Order Completed", Map.of("secret", "x"))).isTrue();
          assertThat(analytics.flush(WAIT).isSuccess()).isTrue();
          CapturingTransport capture = context.getBean(CapturingTransport.class);
          assertThat(capture.messages()).singleElement().satisfies(m -> {
            assertThat(m.properties()).containsEntry("orderId", "o-1").doesNotContainKey("secret");
          });
          assertThat(context.getBean(Plugins.class).seen).containsExactly("enrich", "redact");
        });
  }

  @Test
  void aTrackingPlanFromPropertiesRefusesViolationsInStrictMode() {
    runner.withUserConfiguration(Capture.class).withPropertyValues(
        "beacon.tracking-plan.location=classpath:beacon-test-plan.json", "beacon.tracking-plan.mode=strict")
        .run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          assertThatThrownBy(() -> analytics.track("u1", "Order Completed", Map.of("total", 3)))
              .isInstanceOf(MessageRejectedException.class).hasMessageContaining("orderId");
          assertThatThrownBy(() -> analytics.track("u1", "Not In The Plan"))
              .isInstanceOf(MessageRejectedException.class);
        });
  }

  @Test
  void allowUnplannedLetsEventsOutsideThePlanThrough() {
    runner.withUserConfiguration(Capture.class).withPropertyValues(
        "beacon.tracking-plan.location=classpath:beacon-test-plan.json", "beacon.tracking-plan.mode=drop",
        "beacon.tracking-plan.allow-unplanned=true")
        .run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          assertThat(analytics.track("u1", "Not In The Plan")).isTrue();
          assertThat(analytics.track("u1", "Order Completed", Map.of("total", 3))).isFalse();
        });
  }

  @Test
  void aMissingTrackingPlanFailsStartupNamingTheProperty() {
    runner.withUserConfiguration(Capture.class)
        .withPropertyValues("beacon.tracking-plan.location=classpath:no-such-plan.json").run(context -> {
          assertThat(context).hasFailed();
          assertThat(configFailure(context.getStartupFailure())).hasMessageContaining("beacon.tracking-plan.location")
              .hasMessageContaining("no-such-plan.json");
        });
  }

  @Test
  void aTrackingPlanWithoutTheModuleFailsStartupNamingTheArtifact() {
    runner.withUserConfiguration(Capture.class).withClassLoader(new FilteredClassLoader("dev.beacon.trackingplan"))
        .withPropertyValues("beacon.tracking-plan.location=classpath:beacon-test-plan.json").run(context -> {
          assertThat(context).hasFailed();
          assertThat(configFailure(context.getStartupFailure())).hasMessageContaining("beacon.tracking-plan.location")
              .hasMessageContaining("dev.beacon:beacon-tracking-plan");
        });
  }

  @Test
  void aThreadFactoryFromACustomizerMakesTheHttpTransportsThreads() {
    Set<Thread> made = ConcurrentHashMap.newKeySet();
    BeaconBuilderCustomizer threads = b -> b.threadFactory(r -> {
      Thread t = new Thread(r, "app-thread");
      t.setDaemon(true);
      made.add(t);
      return t;
    });
    runner.withBean(BeaconBuilderCustomizer.class, () -> threads).withPropertyValues("beacon.write-key=" + KEY,
        "beacon.endpoint=" + collector.uri(), "beacon.batch.flush-at=1").run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          analytics.track("u1", "Threads");
          assertThat(analytics.flush(WAIT).isSuccess()).isTrue();
          // HttpClient's IO reactor thread came from the application's factory, not a default one.
          assertThat(made).anySatisfy(t -> assertThat(stackOf(t)).contains("org.apache.hc.core5.reactor"));
        });
  }

  private static String stackOf(Thread t) {
    StringBuilder sb = new StringBuilder();
    for (StackTraceElement e : t.getStackTrace()) {
      sb.append(e.getClassName()).append('\n');
    }
    return sb.toString();
  }

  static Throwable configFailure(Throwable failure) {
    Throwable t = failure;
    while (t != null && !(t instanceof BeaconConfigurationException)) {
      t = t.getCause();
    }
    assertThat(t).as("a BeaconConfigurationException in %s", failure).isNotNull();
    return t;
  }

  @Configuration(proxyBeanMethods = false)
  static class Capture {
    @Bean
    CapturingTransport capture() {
      return new CapturingTransport();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class FailingCapture {
    @Bean
    CapturingTransport capture() {
      return new CapturingTransport().failNext(1, Fault.permanent(400));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Deliveries {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Bean
    @Order(2)
    DeliveryCallback first() {
      return messages -> {
        messages.forEach(m -> calls.add("first:" + ((Track) m).event()));
        throw new IllegalStateException("callback bug");
      };
    }

    @Bean
    @Order(1)
    DeliveryCallback second() {
      return messages -> messages.forEach(m -> calls.add("second:" + ((Track) m).event()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Errors {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Bean
    @Order(1)
    ErrorHandler a() {
      return (e, messages) -> messages.forEach(m -> calls.add("a:" + ((Track) m).event()));
    }

    @Bean
    @Order(2)
    ErrorHandler b() {
      return (e, messages) -> messages.forEach(m -> calls.add("b:" + ((Track) m).event()));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Plugins {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Bean
    Plugin redact() {
      return m -> {
        seen.add("redact");
        return withProperties(m, p -> p.remove("secret"));
      };
    }

    @Bean
    @Order(-10)
    Plugin enrich() {
      return m -> {
        seen.add("enrich");
        return withProperties(m, p -> p.put("orderId", "o-1"));
      };
    }

    private static Message withProperties(Message m, java.util.function.Consumer<Map<String, Object>> change) {
      Track t = (Track) m;
      Map<String, Object> p = new HashMap<>(t.properties());
      change.accept(p);
      return t.toBuilder().properties(p).build();
    }
  }
}
