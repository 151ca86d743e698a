package dev.beacon.transport.kafka;

import dev.beacon.spi.Transport;
import dev.beacon.spi.TransportContext;
import dev.beacon.spi.TransportProvider;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Creates a {@link KafkaTransport} for {@code Analytics.builder(key).transportName("kafka")};
 * registered in {@code META-INF/services/dev.beacon.spi.TransportProvider} under the name
 * {@value #NAME}. Its priority is below the HTTP transport's, so it is used only when chosen by
 * name (or when it is the only transport on the class path).
 *
 * <p>It reads the client's endpoint, which must then be a {@code kafka://} URI:
 * {@code kafka://host:port/topic}, with producer properties as query parameters, e.g.
 * {@code kafka://kafka-1:9092/beacon-events?linger.ms=20&bootstrap.servers=kafka-1:9092,kafka-2:9092}
 * (a {@code bootstrap.servers} parameter replaces the single host of the authority).
 */
public final class KafkaTransportProvider implements TransportProvider {
  /** The name to choose this provider with {@code transportName(...)}. */
  public static final String NAME = "kafka";
  /** The endpoint scheme this provider reads. */
  public static final String SCHEME = "kafka";

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public KafkaTransportProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Returns -1: below the HTTP transport, which stays the default when both are present.
   *
   * @return -1
   */
  @Override
  public int priority() {
    return -1;
  }

  /**
   * Creates a transport from the client's {@code kafka://} endpoint.
   *
   * @param context the client's settings; the write key is not used
   * @return a transport
   * @throws IllegalArgumentException when the endpoint is not a {@code kafka://host:port/topic} URI
   */
  @Override
  public Transport create(TransportContext context) {
    return fromEndpoint(context.endpoint()).build();
  }

  /**
   * Reads a {@code kafka://host:port/topic?property=value&...} URI into a builder.
   *
   * @param endpoint the URI
   * @return a builder with the servers, topic and properties set
   * @throws IllegalArgumentException when the URI is not of that form
   */
  public static KafkaTransport.Builder fromEndpoint(URI endpoint) {
    if (!SCHEME.equalsIgnoreCase(endpoint.getScheme()) || endpoint.getRawAuthority() == null) {
      throw new IllegalArgumentException("the kafka transport needs an endpoint kafka://host:port/topic but the"
          + " client's endpoint is " + endpoint + ": set Analytics.builder(key).endpoint(URI.create("
          + "\"kafka://host:9092/topic\")), or build a KafkaTransport and pass it to transport(...)");
    }
    String path = endpoint.getPath() == null ? "" : endpoint.getPath();
    String topic = path.startsWith("/") ? path.substring(1) : path;
    KafkaTransport.Builder b = KafkaTransport.builder().bootstrapServers(endpoint.getRawAuthority()).topic(topic);
    String query = endpoint.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("endpoint query parameter must be name=value but was " + pair);
        }
        String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if ("bootstrap.servers".equals(name)) {
          b.bootstrapServers(value);
        } else {
          b.producerProperty(name, value);
        }
      }
    }
    return b;
  }
}
