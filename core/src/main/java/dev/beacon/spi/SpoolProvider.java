package dev.beacon.spi;

import java.io.IOException;

/**
 * Opens a {@link Spool}; found with {@link java.util.ServiceLoader} under
 * {@code META-INF/services/dev.beacon.spi.SpoolProvider}.
 */
public interface SpoolProvider {
  /**
   * Returns the provider's short name.
   *
   * @return e.g. {@code "chronicle"}
   */
  String name();

  /**
   * Opens (or creates) the spool in a directory.
   *
   * @param context the directory and limits
   * @return an open spool, owned and closed by the client
   * @throws IOException when the directory cannot be used, or another process holds it
   */
  Spool open(SpoolContext context) throws IOException;
}
