package dev.beacon.spool.chronicle;

import dev.beacon.SpoolDurability;
import dev.beacon.spi.Spool;
import dev.beacon.testkit.SpoolCompatibilityKit;
import java.io.IOException;
import java.nio.file.Path;

class ChronicleSpoolCompatibilityTest extends SpoolCompatibilityKit {
  @Override
  protected Spool open(Path directory, long maxBytes, SpoolDurability durability) throws IOException {
    return ChronicleSpool.open(directory, maxBytes, durability, ChronicleSpool.Settings.DEFAULT);
  }
}
