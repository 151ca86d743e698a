package dev.beacon.examples.docs;

import dev.beacon.Analytics;
import dev.beacon.SpoolDurability;
import dev.beacon.spi.Transport;
import java.nio.file.Path;

/** The examples of docs/spool.md. */
public final class SpoolExamples {
  private SpoolExamples() {}

  /**
   * A client whose accepted messages survive crashes and restarts.
   *
   * @param transport where batches go (omit {@code .transport(...)} in production)
   * @param directory the spool directory
   * @return the client
   */
  public static Analytics spooled(Transport transport, Path directory) {
    // tag::spool[]
    Analytics analytics = Analytics.builder(System.getenv().getOrDefault("SEGMENT_WRITE_KEY", "YOUR_WRITE_KEY"))
        .transport(transport)                                // omit: the HTTP transport is found
        .spoolDirectory(directory)                           // e.g. /var/lib/myapp/beacon, one per client
        .maxSpoolBytes(1L << 30)                             // default 1 GiB
        .spoolDurability(SpoolDurability.PROCESS_CRASH)      // default
        .build();
    // end::spool[]
    return analytics;
  }
}
