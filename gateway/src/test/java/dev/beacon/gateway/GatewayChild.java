package dev.beacon.gateway;

import dev.beacon.SpoolDurability;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A gateway with the local journal in its own JVM, for {@link GatewayKillTest}: prints
 * {@code LISTENING <port>} once it serves, then runs until killed (SIGTERM stops it gracefully).
 */
public final class GatewayChild {
  private GatewayChild() {}

  /**
   * Runs the gateway.
   *
   * @param args spool directory, forward URI, keys file, durability
   */
  public static void main(String[] args) {
    JournalSink sink = JournalSink.open(Path.of(args[0]), URI.create(args[1]), "forward-key",
        SpoolDurability.valueOf(args[3]));
    Gateway gateway = Gateway.builder(Path.of(args[2]), sink).listen("127.0.0.1", 0).build().start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> gateway.close(Duration.ofSeconds(20))));
    System.out.println("LISTENING " + gateway.port());
    System.out.flush();
  }
}
