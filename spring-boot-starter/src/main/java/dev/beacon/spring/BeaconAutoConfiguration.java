package dev.beacon.spring;

import dev.beacon.Analytics;
import dev.beacon.DeliveryCallback;
import dev.beacon.ErrorHandler;
import dev.beacon.QueueFullPolicy;
import dev.beacon.RetryPolicy;
import dev.beacon.spi.Plugin;
import dev.beacon.spi.Transport;
import dev.beacon.spi.TransportContext;
import dev.beacon.spi.TransportProvider;
import dev.beacon.transport.http.HttpTransport;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;
import org.springframework.util.unit.DataSize;

/**
 * Creates one {@link Analytics} client from the {@code beacon.*} properties ({@link BeaconProperties}),
 * unless the application defines its own. The client sends over HTTP with the {@code beacon.http.*}
 * settings, or through the application's {@link Transport} bean when there is one (the test slice
 * {@link AutoConfigureBeaconCapture} adds one). Its error callback is the application's
 * {@link ErrorHandler} beans, in {@code @Order}, seen through a {@link BeaconDeliveryMonitor} for
 * the health indicator; its delivery callback the {@link DeliveryCallback} beans, in
 * {@code @Order}; its plugins the {@link Plugin} beans, in {@code @Order}, with the tracking plan
 * of {@code beacon.tracking-plan.*} at {@value #TRACKING_PLAN_ORDER}. The HTTP transport is created
 * by {@code build()} with the client's context, so a thread factory set by a
 * {@link BeaconBuilderCustomizer} makes its threads too. The client is flushed and closed, within
 * {@code beacon.shutdown-timeout}, when the application context closes (Spring's shutdown hook
 * replaces the client's own). The same on Spring Boot 3.5 and 4.x.
 *
 * <p>Startup fails with a {@link BeaconConfigurationException} naming the property when
 * {@code beacon.write-key} is missing (unless {@code beacon.enabled=false}, a {@link Transport}
 * bean is defined, or {@code beacon.send=false}) or when a value is out of range.
 */
@AutoConfiguration
@ConditionalOnClass(Analytics.class)
@ConditionalOnProperty(prefix = "beacon", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(BeaconProperties.class)
public class BeaconAutoConfiguration {
  /** The write key given to the builder when none is needed: it is never sent anywhere. */
  static final String UNUSED_WRITE_KEY = "unused-write-key";

  /** Builder option names, as they begin the builders' messages, and their properties; longest first. */
  private static final Map<String, String> PROPERTIES = new LinkedHashMap<>();

  static {
    PROPERTIES.put("QueueFullPolicy.block", "beacon.queue.block-timeout");
    PROPERTIES.put("maxConcurrentRequests", "beacon.http.max-concurrent-requests");
    PROPERTIES.put("maxRequestsPerSecond", "beacon.http.max-requests-per-second");
    PROPERTIES.put("proxyCredentials", "beacon.http.proxy.username");
    PROPERTIES.put("responseTimeout", "beacon.http.response-timeout");
    PROPERTIES.put("connectTimeout", "beacon.http.connect-timeout");
    PROPERTIES.put("shutdownTimeout", "beacon.shutdown-timeout");
    PROPERTIES.put("maxBatchMessages", "beacon.batch.max-messages");
    PROPERTIES.put("spoolDirectory", "beacon.spool.directory");
    PROPERTIES.put("spoolDurability", "beacon.spool.durability");
    PROPERTIES.put("totalDeadline", "beacon.retry.total-deadline");
    PROPERTIES.put("flushInterval", "beacon.batch.flush-interval");
    PROPERTIES.put("maxBatchBytes", "beacon.batch.max-bytes");
    PROPERTIES.put("maxQueueBytes", "beacon.queue.max-bytes");
    PROPERTIES.put("maxSpoolBytes", "beacon.spool.max-bytes");
    PROPERTIES.put("flushTimeout", "beacon.flush-timeout");
    PROPERTIES.put("maxQueueSize", "beacon.queue.max-size");
    PROPERTIES.put("maxRetries", "beacon.retry.max-retries");
    PROPERTIES.put("baseDelay", "beacon.retry.base-delay");
    PROPERTIES.put("userAgent", "beacon.http.user-agent");
    PROPERTIES.put("gzipLevel", "beacon.http.gzip-level");
    PROPERTIES.put("gzipCompressor", "beacon.http.gzip-compressor");
    PROPERTIES.put("maxDelay", "beacon.retry.max-delay");
    PROPERTIES.put("endpoint", "beacon.endpoint");
    PROPERTIES.put("flushAt", "beacon.batch.flush-at");
    PROPERTIES.put("proxy port", "beacon.http.proxy.port");
    PROPERTIES.put("proxy", "beacon.http.proxy.host");
  }

  /**
   * The {@code @Order} of the tracking plan's plugin among the context's {@code Plugin} beans: 0,
   * so that plugins ordered below it (filters, enrichers) run before the check and those above it
   * or unordered (redactors) after, the order docs/plugins.md recommends.
   */
  public static final int TRACKING_PLAN_ORDER = 0;

  /** Created by Spring. */
  public BeaconAutoConfiguration() {}

  /**
   * The monitor behind the health indicator, fed by the client's error callback.
   *
   * @return a monitor, attached to the client by {@link #beaconAnalytics}
   */
  @Bean
  @ConditionalOnMissingBean({BeaconDeliveryMonitor.class, Analytics.class})
  public BeaconDeliveryMonitor beaconDeliveryMonitor() {
    return new BeaconDeliveryMonitor();
  }

  /**
   * The client. Closed by Spring when the context closes: {@code close()} delivers what is
   * pending within {@code beacon.shutdown-timeout} and reports the rest to the error callback.
   *
   * @param properties the {@code beacon.*} properties
   * @param monitor the delivery monitor
   * @param transport the application's transport bean, if it defines exactly one
   * @param errorHandlers the application's error callbacks, all called in {@code @Order}
   * @param deliveryCallbacks the application's delivery callbacks, all called in {@code @Order}
   * @param plugins the context's plugins, added in {@code @Order} (the tracking plan's at
   *     {@value #TRACKING_PLAN_ORDER})
   * @param customizers builder customizers, applied last, in order
   * @param resources the context's resource loader, for its class loader
   * @return the running client
   * @throws BeaconConfigurationException naming the property when the settings are incomplete or invalid
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Analytics beaconAnalytics(BeaconProperties properties, BeaconDeliveryMonitor monitor,
      ObjectProvider<Transport> transport, ObjectProvider<ErrorHandler> errorHandlers,
      ObjectProvider<DeliveryCallback> deliveryCallbacks, ObjectProvider<Plugin> plugins,
      ObjectProvider<BeaconBuilderCustomizer> customizers, ResourceLoader resources) {
    Transport own = transport.getIfUnique();
    ErrorHandler onError = Callbacks.errorHandler(errorHandlers.orderedStream().toList());
    DeliveryCallback onDelivered = Callbacks.deliveryCallback(deliveryCallbacks.orderedStream().toList());
    Analytics analytics = build(properties, own, monitor.errorHandler(onError), resources.getClassLoader(), b -> {
      if (onDelivered != null) {
        b.onDelivered(onDelivered);
      }
      plugins.orderedStream().forEach(b::plugin);
      customizers.orderedStream().forEach(c -> c.customize(b));
    });
    monitor.attach(analytics);
    return analytics;
  }

  /**
   * The tracking plan of {@code beacon.tracking-plan.*}, as a plugin of the client, when
   * {@code beacon-tracking-plan} is on the class path and a location is set.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.beacon.trackingplan.TrackingPlanPlugin")
  @ConditionalOnProperty(prefix = "beacon.tracking-plan", name = "location")
  static class TrackingPlanConfiguration {
    /**
     * The plugin.
     *
     * @param properties the {@code beacon.*} properties
     * @param resources where the plan is read from
     * @return the plugin
     */
    @Bean
    @Order(TRACKING_PLAN_ORDER)
    @ConditionalOnMissingBean(name = "beaconTrackingPlanPlugin")
    Plugin beaconTrackingPlanPlugin(BeaconProperties properties, ResourceLoader resources) {
      return TrackingPlans.plugin(properties.trackingPlan(), resources);
    }
  }

  static Analytics build(BeaconProperties p, Transport own, ErrorHandler onError, ClassLoader classLoader,
      java.util.function.Consumer<Analytics.Builder> customize) {
    String writeKey = p.writeKey();
    boolean keyNeeded = own == null && p.send();
    if (writeKey == null || writeKey.isBlank()) {
      if (keyNeeded) {
        throw new BeaconConfigurationException("beacon.write-key", "beacon.write-key is not set: Beacon needs the"
            + " write key of your Segment source to send events (or set beacon.enabled=false)", null);
      }
      writeKey = UNUSED_WRITE_KEY;
    }
    if (p.endpoint() != null && p.region() != null) {
      throw new BeaconConfigurationException("beacon.endpoint", "beacon.endpoint and beacon.region are both set:"
          + " set one of them", null);
    }
    if (p.http().proxy().host() == null && p.http().proxy().username() != null) {
      throw new BeaconConfigurationException("beacon.http.proxy.host", "beacon.http.proxy.username is set but"
          + " beacon.http.proxy.host is not", null);
    }
    if (p.trackingPlan().location() != null
        && !ClassUtils.isPresent("dev.beacon.trackingplan.TrackingPlanPlugin", classLoader)) {
      throw new BeaconConfigurationException("beacon.tracking-plan.location", "beacon.tracking-plan.location is set"
          + " but dev.beacon:beacon-tracking-plan is not on the class path: add it, or unset the property", null);
    }
    try {
      Analytics.Builder b = Analytics.builder(writeKey)
          .debug(p.debug())
          .send(p.send())
          .syncMode(p.syncMode())
          .flushTimeout(p.flushTimeout())
          .shutdownTimeout(p.shutdownTimeout())
          // Spring's own shutdown hook closes the context, and the context closes the client.
          .shutdownHook(false)
          .maxQueueSize(p.queue().maxSize())
          .maxQueueBytes(p.queue().maxBytes().toBytes())
          .queueFullPolicy(p.queue().blockTimeout() == null ? QueueFullPolicy.dropNewest()
              : QueueFullPolicy.block(p.queue().blockTimeout()))
          .flushAt(p.batch().flushAt())
          .flushInterval(p.batch().flushInterval())
          .maxBatchMessages(p.batch().maxMessages())
          .maxBatchBytes(toInt(p.batch().maxBytes(), "beacon.batch.max-bytes"))
          .retryPolicy(RetryPolicy.builder()
              .baseDelay(p.retry().baseDelay())
              .maxDelay(p.retry().maxDelay())
              .maxRetries(p.retry().maxRetries())
              .totalDeadline(p.retry().totalDeadline())
              .jitter(p.retry().jitter())
              .build())
          .onError(onError);
      if (p.region() != null) {
        b.region(p.region());
      } else if (p.endpoint() != null) {
        b.endpoint(p.endpoint());
      }
      b.maxSpoolBytes(p.spool().maxBytes().toBytes()).spoolDurability(p.spool().durability());
      if (p.spool().directory() != null) {
        b.spoolDirectory(p.spool().directory());
      }
      if (own != null) {
        b.transport(own);
      } else if (p.send()) {
        // Created by build() with the client's context, so that the thread factory a customizer
        // sets reaches the transport's IO thread too.
        b.transportProvider(new HttpProvider(p.debug(), p.http()));
      }
      customize.accept(b);
      return b.build();
    } catch (LinkageError e) {
      // An Apache HttpClient 5 older than the oldest the transport supports (5.4, with HttpCore 5.3).
      Package hc = org.apache.hc.client5.http.impl.async.HttpAsyncClients.class.getPackage();
      String found = hc == null || hc.getImplementationVersion() == null ? "an older version"
          : hc.getImplementationVersion();
      throw new BeaconConfigurationException("httpclient5.version", "beacon-transport-http needs Apache"
          + " HttpClient 5.4 or later (org.apache.httpcomponents.client5:httpclient5, with httpcore5 5.3 or later)"
          + " but the class path has " + found + " (" + e + ")", e);
    } catch (RuntimeException e) {
      if (e instanceof BeaconConfigurationException
          || !(e instanceof IllegalArgumentException || e instanceof IllegalStateException
              || e instanceof NullPointerException)) {
        throw e;
      }
      String property = propertyOf(e.getMessage());
      throw new BeaconConfigurationException(property, "Invalid Beacon configuration"
          + (property.equals("beacon") ? "" : " (" + property + ")") + ": " + e.getMessage(), e);
    }
  }

  /** Beacon's HTTP transport with the {@code beacon.http.*} settings, made in the client's context. */
  private static final class HttpProvider implements TransportProvider {
    private final boolean debug;
    private final BeaconProperties.Http http;

    HttpProvider(boolean debug, BeaconProperties.Http http) {
      this.debug = debug;
      this.http = http;
    }

    @Override
    public String name() {
      return "http";
    }

    @Override
    public Transport create(TransportContext context) {
      HttpTransport.Builder b = HttpTransport.builder(context)
          .debug(debug)
          .connectTimeout(http.connectTimeout())
          .responseTimeout(http.responseTimeout())
          .maxConcurrentRequests(http.maxConcurrentRequests())
          .maxRequestsPerSecond(http.maxRequestsPerSecond())
          .gzip(http.gzip())
          .gzipLevel(http.gzipLevel())
          .allowInsecureHttp(http.allowInsecureHttp());
      if (http.userAgent() != null) {
        b.userAgent(http.userAgent());
      }
      if (http.gzipCompressor() != null) {
        b.gzipCompressor(http.gzipCompressor());
      }
      BeaconProperties.Proxy proxy = http.proxy();
      if (proxy.host() != null) {
        b.proxy(proxy.host(), proxy.port());
        if (proxy.username() != null) {
          b.proxyCredentials(proxy.username(), proxy.password() == null ? null : proxy.password().toCharArray());
        }
      }
      return b.build();
    }
  }

  private static int toInt(DataSize size, String property) {
    long bytes = size.toBytes();
    if (bytes > Integer.MAX_VALUE || bytes < 0) {
      throw new BeaconConfigurationException(property, property + " must be at most 500KB but was " + size, null);
    }
    return (int) bytes;
  }

  static String propertyOf(String message) {
    if (message != null) {
      for (Map.Entry<String, String> e : PROPERTIES.entrySet()) {
        if (message.startsWith(e.getKey())) {
          return e.getValue();
        }
      }
      if (message.contains("spoolDirectory")) {
        return "beacon.spool.directory";
      }
    }
    return "beacon";
  }
}
