package dev.beacon.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DeliveryException;
import dev.beacon.ErrorHandler;
import dev.beacon.FailureReason;
import dev.beacon.testkit.BeaconAssertions;
import dev.beacon.testkit.CapturingTransport;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.Fault;
import dev.beacon.testkit.ReceivedRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The client bean, its properties and its conditions, in real application contexts. */
class BeaconAutoConfigurationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String KEY = "starter-test-key";
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

  @BeforeEach
  void forget() {
    collector.reset();
  }

  private String[] toCollector(String... more) {
    String[] base = {"beacon.write-key=" + KEY, "beacon.endpoint=" + collector.uri(), "beacon.batch.flush-at=1"};
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void missingWriteKeyFailsStartupNamingTheProperty() {
    runner.run(context -> {
      assertThat(context).hasFailed();
      Throwable failure = context.getStartupFailure();
      assertThat(configFailure(failure)).hasMessageContaining("beacon.write-key")
          .hasMessageContaining("beacon.enabled=false");
      FailureAnalysis analysis = new BeaconFailureAnalyzer().analyze(failure);
      assertThat(analysis.getAction()).contains("Set beacon.write-key");
    });
  }

  @Test
  void theFailureReportSaysHowToFixATooOldHttpClient() {
    BeaconConfigurationException old = new BeaconConfigurationException("httpclient5.version",
        "beacon-transport-http needs Apache HttpClient 5.4 or later", new NoSuchMethodError("x"));
    FailureAnalysis analysis = new BeaconFailureAnalyzer().analyze(new IllegalStateException("wrapped", old));
    assertThat(analysis.getDescription()).contains("HttpClient 5.4");
    assertThat(analysis.getAction()).contains("the versions Spring Boot 3.5 and 4.x manage work")
        .contains("remove any override of httpclient5.version");
  }

  @Test
  void disabledCreatesNoBeaconBeanAndNeedsNoKey() {
    runner.withPropertyValues("beacon.enabled=false").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context).doesNotHaveBean(Analytics.class).doesNotHaveBean(BeaconDeliveryMonitor.class);
    });
  }

  @Test
  void sendsOverHttpToTheConfiguredEndpoint() {
    runner.withPropertyValues(toCollector("beacon.http.user-agent=shop/1.0", "beacon.http.gzip=false"))
        .run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          analytics.track("user_1", "Signed Up");
          assertThat(analytics.flush(WAIT).isSuccess()).isTrue();
          BeaconAssertions.assertThat(collector).hasTracked("Signed Up");
          ReceivedRequest request = collector.requests().get(0);
          assertThat(request.userAgent()).isEqualTo("shop/1.0");
          assertThat(request.contentEncoding()).isNull();
        });
  }

  @Test
  void gzipIsOnByDefault() {
    runner.withPropertyValues(toCollector()).run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.track("user_1", "Signed Up");
      assertThat(analytics.flush(WAIT).isSuccess()).isTrue();
      assertThat(collector.requests().get(0).contentEncoding()).isEqualTo("gzip");
    });
  }

  @Test
  void sendsThroughTheConfiguredProxy() {
    // The endpoint itself is unreachable (port 1): only a request through the proxy can arrive.
    runner.withPropertyValues("beacon.write-key=" + KEY, "beacon.endpoint=http://127.0.0.1:1",
        "beacon.batch.flush-at=1", "beacon.http.proxy.host=127.0.0.1",
        "beacon.http.proxy.port=" + collector.port()).run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          analytics.track("user_1", "Through The Proxy");
          collector.awaitMessages(1, WAIT);
          BeaconAssertions.assertThat(collector).hasTracked("Through The Proxy");
        });
  }

  @Test
  void regionSetsTheEndpoint() {
    runner.withPropertyValues("beacon.write-key=" + KEY, "beacon.region=eu").run(context ->
        assertThat(context.getBean(Analytics.class).toString()).contains("https://events.eu1.segmentapis.com"));
  }

  @Test
  void endpointAndRegionTogetherAreRefused() {
    runner.withPropertyValues("beacon.write-key=" + KEY, "beacon.region=eu", "beacon.endpoint=https://example.com")
        .run(context -> assertThat(configFailure(context.getStartupFailure()))
            .hasMessageContaining("beacon.endpoint and beacon.region"));
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "beacon.queue.max-size|0",
      "beacon.queue.max-bytes|1KB",
      "beacon.queue.block-timeout|0s",
      "beacon.batch.flush-at|0",
      "beacon.batch.flush-interval|0s",
      "beacon.batch.max-messages|2501",
      "beacon.batch.max-bytes|1KB",
      "beacon.retry.base-delay|0s",
      "beacon.retry.max-delay|0s",
      "beacon.retry.max-retries|-1",
      "beacon.retry.total-deadline|0s",
      "beacon.flush-timeout|0s",
      "beacon.shutdown-timeout|-1s",
      "beacon.http.connect-timeout|0s",
      "beacon.http.response-timeout|0s",
      "beacon.http.max-concurrent-requests|0",
      "beacon.http.max-requests-per-second|-1",
      "beacon.http.gzip-level|10",
      "beacon.http.user-agent|' '",
      "beacon.http.proxy.host|' '",
      "beacon.spool.max-bytes|1KB",
      "beacon.spool.directory|target/no-spool-provider",
      "beacon.endpoint|http://analytics.example.com",
  })
  void anInvalidValueFailsStartupNamingItsProperty(String property, String value) {
    runner.withPropertyValues(toCollector(property + "=" + value)).run(context -> {
      assertThat(context).hasFailed();
      BeaconConfigurationException e = configFailure(context.getStartupFailure());
      assertThat(e).hasMessageContaining(property).hasMessageNotContaining(KEY);
      assertThat(e.property()).isEqualTo(property);
    });
  }

  /** The configuration exception in a startup failure's chain (its own cause is the builder's exception). */
  static BeaconConfigurationException configFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof BeaconConfigurationException e) {
        return e;
      }
    }
    throw new AssertionError("no BeaconConfigurationException in " + t, t);
  }

  @Test
  void proxyUserWithoutHostIsRefused() {
    runner.withPropertyValues(toCollector("beacon.http.proxy.username=me")).run(context ->
        assertThat(configFailure(context.getStartupFailure())).hasMessageContaining("beacon.http.proxy.host"));
  }

  @Test
  void allowInsecureHttpAcceptsAPlaintextEndpoint() {
    runner.withPropertyValues("beacon.write-key=" + KEY, "beacon.endpoint=http://analytics.example.com",
        "beacon.http.allow-insecure-http=true").run(context -> assertThat(context).hasSingleBean(Analytics.class));
  }

  @Test
  void backsOffWhenTheApplicationDefinesItsOwnClient() {
    runner.withUserConfiguration(OwnClient.class).run(context -> {
      assertThat(context).hasSingleBean(Analytics.class).doesNotHaveBean(BeaconDeliveryMonitor.class);
      assertThat(context.getBean(Analytics.class)).isSameAs(context.getBean(OwnClient.class).client);
    });
  }

  @Test
  void aTransportBeanReplacesHttpAndMakesTheKeyOptional() {
    runner.withUserConfiguration(Capture.class).run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      CapturingTransport capture = context.getBean(CapturingTransport.class);
      analytics.track("user_1", "Captured");
      analytics.flush(WAIT);
      BeaconAssertions.assertThat(capture).hasTracked("Captured");
    });
  }

  @Test
  void sendFalseNeedsNoKeyAndSendsNothing() {
    runner.withPropertyValues("beacon.send=false", "beacon.batch.flush-at=1").run(context -> {
      Analytics analytics = context.getBean(Analytics.class);
      analytics.track("user_1", "Dry Run");
      analytics.flush(WAIT);
      assertThat(analytics.stats().notSent()).isEqualTo(1);
    });
  }

  @Test
  void syncModeDeliversBeforeTheCallReturns() {
    runner.withUserConfiguration(Capture.class).withPropertyValues("beacon.sync-mode=true").run(context -> {
      context.getBean(Analytics.class).track("user_1", "Now");
      BeaconAssertions.assertThat(context.getBean(CapturingTransport.class)).hasTracked("Now");
    });
  }

  @Test
  void theApplicationsErrorHandlerGetsFailures() {
    runner.withUserConfiguration(Capture.class, Handler.class).withPropertyValues("beacon.retry.max-retries=0")
        .run(context -> {
          context.getBean(CapturingTransport.class).failNext(1, Fault.permanent(400));
          Analytics analytics = context.getBean(Analytics.class);
          analytics.track("user_1", "Refused");
          analytics.flush(WAIT);
          assertThat(context.getBean(Handler.class).errors).extracting(DeliveryException::reason)
              .containsExactly(FailureReason.REJECTED);
        });
  }

  @Test
  void customizersRunLast() {
    runner.withUserConfiguration(Capture.class).withBean(BeaconBuilderCustomizer.class, () -> b -> b.send(false))
        .run(context -> {
          Analytics analytics = context.getBean(Analytics.class);
          analytics.track("user_1", "Customized");
          analytics.flush(WAIT);
          assertThat(analytics.stats().notSent()).isEqualTo(1);
          assertThat(context.getBean(CapturingTransport.class).messages()).isEmpty();
        });
  }

  @Test
  void closingTheContextDeliversWhatIsPendingAndClosesTheClient() {
    CapturingTransport capture = new CapturingTransport();
    Analytics[] client = new Analytics[1];
    // flush-at and flush-interval far away: only the close can send the message.
    runner.withBean(CapturingTransport.class, () -> capture)
        .withPropertyValues("beacon.batch.flush-at=100", "beacon.batch.flush-interval=1h").run(context -> {
          client[0] = context.getBean(Analytics.class);
          client[0].track("user_1", "Last Words");
          assertThat(capture.messages()).isEmpty();
        });
    assertThat(client[0].isClosed()).isTrue();
    BeaconAssertions.assertThat(capture).hasTracked("Last Words");
  }

  @Test
  void closingGivesUpAfterTheShutdownTimeoutAndReportsTheRest() {
    CapturingTransport capture = new CapturingTransport().latency(Duration.ofHours(1));
    Handler handler = new Handler();
    runner.withBean(CapturingTransport.class, () -> capture).withBean(Handler.class, () -> handler)
        .withPropertyValues("beacon.batch.flush-at=1", "beacon.shutdown-timeout=200ms")
        .run(context -> context.getBean(Analytics.class).track("user_1", "Stuck"));
    assertThat(handler.errors).extracting(DeliveryException::reason).containsExactly(FailureReason.SHUTDOWN);
  }

  @Test
  void propertiesNeverShowTheSecrets() {
    runner.withPropertyValues(toCollector("beacon.http.proxy.host=proxy.internal", "beacon.http.proxy.username=me",
        "beacon.http.proxy.password=hunter2")).run(context -> {
          String text = context.getBean(BeaconProperties.class).toString();
          assertThat(text).doesNotContain(KEY).doesNotContain("hunter2").contains("<redacted>");
          assertThat(context.getBean(Analytics.class).toString()).doesNotContain(KEY);
        });
  }

  @Test
  void everyPropertyBinds() {
    runner.withUserConfiguration(Capture.class).withPropertyValues(
        "beacon.client-name=orders", "beacon.debug=true", "beacon.queue.max-size=100", "beacon.queue.max-bytes=1MB",
        "beacon.queue.block-timeout=250ms", "beacon.batch.flush-at=10", "beacon.batch.flush-interval=2s",
        "beacon.batch.max-messages=100", "beacon.batch.max-bytes=400KB", "beacon.retry.base-delay=1s",
        "beacon.retry.max-delay=30s", "beacon.retry.max-retries=3", "beacon.retry.total-deadline=1h",
        "beacon.retry.jitter=false", "beacon.flush-timeout=20s", "beacon.shutdown-timeout=3s",
        "beacon.http.max-concurrent-requests=4", "beacon.http.max-requests-per-second=50",
        "beacon.http.gzip-level=6", "beacon.spool.max-bytes=2GB", "beacon.spool.durability=os-crash")
        .run(context -> {
          assertThat(context).hasSingleBean(Analytics.class);
          BeaconProperties p = context.getBean(BeaconProperties.class);
          assertThat(p.clientName()).isEqualTo("orders");
          assertThat(p.queue().blockTimeout()).isEqualTo(Duration.ofMillis(250));
          assertThat(p.batch().maxBytes().toKilobytes()).isEqualTo(400);
          assertThat(p.retry().jitter()).isFalse();
          assertThat(p.http().maxRequestsPerSecond()).isEqualTo(50);
          assertThat(p.spool().durability()).isEqualTo(dev.beacon.SpoolDurability.OS_CRASH);
          assertThat(p.spool().maxBytes().toGigabytes()).isEqualTo(2);
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnClient {
    final Analytics client = Analytics.builder("own-key").send(false).shutdownHook(false).build();

    @Bean(destroyMethod = "close")
    Analytics analytics() {
      return client;
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Capture {
    @Bean
    CapturingTransport capture() {
      return new CapturingTransport();
    }
  }

  static class Handler implements ErrorHandler {
    final List<DeliveryException> errors = new CopyOnWriteArrayList<>();

    @Override
    public void onError(DeliveryException error, List<dev.beacon.Message> messages) {
      errors.add(error);
    }
  }
}
