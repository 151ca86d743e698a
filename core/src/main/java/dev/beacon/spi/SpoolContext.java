package dev.beacon.spi;

import dev.beacon.SpoolDurability;
import java.nio.file.Path;
import java.util.Objects;

/** What a {@link SpoolProvider} needs to open a spool. Holds no secret. */
public final class SpoolContext {
  private final Path directory;
  private final long maxBytes;
  private final SpoolDurability durability;

  /**
   * Creates a context.
   *
   * @param directory the spool's own directory, created if missing
   * @param maxBytes bound on the bytes appended and not acknowledged
   * @param durability what {@link Spool#commit()} must guarantee
   */
  public SpoolContext(Path directory, long maxBytes, SpoolDurability durability) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.maxBytes = maxBytes;
    this.durability = Objects.requireNonNull(durability, "durability");
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
