package dev.beacon.spring;

/**
 * Thrown at startup when the {@code beacon.*} properties cannot make a client; the message names
 * the property and never contains the write key. {@link BeaconFailureAnalyzer} turns it into
 * Spring Boot's "APPLICATION FAILED TO START" report.
 */
public final class BeaconConfigurationException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** The property at fault, e.g. {@code beacon.write-key}; {@code httpclient5.version} for a too old HttpClient. */
  private final String property;

  /**
   * Creates the exception.
   *
   * @param property the property at fault, e.g. {@code beacon.write-key}
   * @param message what is wrong, naming the property
   * @param cause the builder's exception, or null
   */
  public BeaconConfigurationException(String property, String message, Throwable cause) {
    super(message, cause);
    this.property = property;
  }

  /**
   * Returns the property at fault.
   *
   * @return e.g. {@code beacon.write-key}, or the Maven property {@code httpclient5.version} when the
   *     class path has an Apache HttpClient older than the transport needs
   */
  public String property() {
    return property;
  }
}
