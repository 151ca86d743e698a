package dev.beacon.spi;

import dev.beacon.SpoolDurability;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/** What a {@link SpoolProvider} needs to open a spool. Holds no secret. */
public final class SpoolContext {
  private final Path directory;
  private final long maxBytes;
  private final SpoolDurability durability;
  private final ThreadFactory threadFactory;

  /**
   * Creates a context whose spool starts any thread it needs as a daemon thread.
   *
   * @param directory the spool's own directory, created if missing
   * @param maxBytes bound on the bytes appended and not acknowledged
   * @param durability what {@link Spool#commit()} must guarantee
   */
  public SpoolContext(Path directory, long maxBytes, SpoolDurability durability) {
    this(directory, maxBytes, durability, r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Creates a context.
   *
   * @param directory the spool's own directory, created if missing
   * @param maxBytes bound on the bytes appended and not acknowledged
   * @param durability what {@link Spool#commit()} must guarantee
   * @param threadFactory the client's thread factory, for any thread the spool starts
   */
  public SpoolContext(Path directory, long maxBytes, SpoolDurability durability, ThreadFactory threadFactory) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.maxBytes = maxBytes;
    this.durability = Objects.requireNonNull(durability, "durability");
    this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
  }

  /**
   * Returns the factory for any thread the spool starts (the client's {@code threadFactory}, or
   * one making daemon threads). A spool must stop its threads in {@link Spool#close()}.
   *
   * @return the factory
   */
  public ThreadFactory threadFactory() {
    return threadFactory;
  }

  /**
   * Returns the spool directory.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * Returns the bound on pending bytes.
   *
   * @return bytes
   */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Returns the durability asked for.
   *
   * @return the durability
   */
  public SpoolDurability durability() {
    return durability;
  }

  @Override
  public String toString() {
    return "SpoolContext{directory=" + directory + ", maxBytes=" + maxBytes + ", durability=" + durability + "}";
  }
}
