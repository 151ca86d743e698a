package dev.beacon.transport.http;

import dev.beacon.spi.Transport;
import dev.beacon.spi.TransportContext;
import dev.beacon.spi.TransportProvider;

/**
 * Makes {@link HttpTransport} the transport of {@code Analytics.builder(key).build()} when this
 * artifact is on the class path; registered in
 * {@code META-INF/services/dev.beacon.spi.TransportProvider} under the name {@value #NAME}.
 * Transports it creates use {@link HttpTransport}'s defaults with the client's endpoint, user
 * agent, debug flag and thread factory.
 */
public final class HttpTransportProvider implements TransportProvider {
  /** The name to choose this provider with {@code transportName(...)}. */
  public static final String NAME = "http";

  /** Creates the provider; called by {@link java.util.ServiceLoader}. */
  public HttpTransportProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  /**
   * Creates a transport for one client.
   *
   * @param context the client's settings
   * @return a started transport
   * @throws IllegalArgumentException when the endpoint is plaintext http:// to a non-loopback host
   */
  @Override
  public Transport create(TransportContext context) {
    return HttpTransport.builder(context).build();
  }
}
