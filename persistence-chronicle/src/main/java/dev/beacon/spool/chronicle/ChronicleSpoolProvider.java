package dev.beacon.spool.chronicle;

import dev.beacon.spi.Spool;
import dev.beacon.spi.SpoolContext;
import dev.beacon.spi.SpoolProvider;
import java.io.IOException;

/**
 * The {@code "chronicle"} spool: a journal on Chronicle Queue, found by {@link
 * java.util.ServiceLoader}. Applications do not use this class directly; they set
 * {@code Analytics.builder(key).spoolDirectory(dir)} with this artifact on the class path.
 *
 * <p>Chronicle needs these JVM flags on JDK 17+: {@code
 * --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED
 * --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
 * --add-exports=java.base/jdk.internal.util=ALL-UNNAMED
 * --add-exports=java.base/sun.nio.ch=ALL-UNNAMED --add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED
 * --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 * --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED}, and on
 * JDK 24+ also {@code --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow}.
 * Without {@code java.lang.reflect}, {@code sun.nio.ch} or {@code jdk.internal.ref}, {@link #open}
 * throws a {@link MissingJvmFlagsException} naming them instead of letting Chronicle fail obscurely.
 */
public final class ChronicleSpoolProvider implements SpoolProvider {
  static {
    // Before anything below can load a Chronicle class.
    ChronicleProperties.apply();
  }

  /** Called by {@link java.util.ServiceLoader}. */
  public ChronicleSpoolProvider() {}

  @Override
  public String name() {
    return "chronicle";
  }

  /**
   * {@inheritDoc}
   *
   * @throws MissingJvmFlagsException when the JVM lacks a flag Chronicle cannot run without; the
   *     message names each missing flag
   */
  @Override
  public Spool open(SpoolContext context) throws IOException {
    // Before Chronicle's first class initializes: its own failure names no flag. The class literal
    // loads Jvm (the class that reaches into the JDK) without initializing it.
    JvmFlags.require(net.openhft.chronicle.core.Jvm.class.getModule());
    return ChronicleSpool.open(context.directory(), context.maxBytes(), context.durability(),
        ChronicleSpool.Settings.DEFAULT, context.threadFactory());
  }
}
