package dev.beacon.spi;

/**
 * Creates a {@link Transport}; found with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/dev.beacon.spi.TransportProvider}.
 */
public interface TransportProvider {
  /**
   * Returns the short name users choose this provider by with
   * {@code Analytics.builder(key).transportName(name)}.
   *
   * @return e.g. {@code "http"}
   */
  String name();

  /**
   * Ranks providers when several are found and none was chosen by name: the highest wins.
   *
   * @return the priority; default 0
   */
  default int priority() {
    return 0;
  }

  /**
   * Creates a transport for one client.
   *
   * @param context the client's settings
   * @return a new transport, owned and closed by the client
   */
  Transport create(TransportContext context);
}
