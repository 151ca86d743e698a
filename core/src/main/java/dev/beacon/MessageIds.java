package dev.beacon;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Message id helpers. */
public final class MessageIds {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private MessageIds() {}

  /**
   * Derives a deterministic, UUID-shaped id from the parts, so that retrying or re-importing the
   * same business event keeps its id and Segment drops the duplicate. The parts are joined with
   * {@code ':'} and hashed with SHA-256; the id is the first 32 hex digits grouped 8-4-4-4-12 —
   * exactly the recipe of the analytics-python guide, so both produce the same id.
   *
   * <pre>{@code MessageIds.stable("order", "ORD-123", "Order Completed")}</pre>
   *
   * @param parts at least one non-null part, e.g. entity type, entity id, event name
   * @return a 36-character id
   * @throws IllegalArgumentException when no part is given or a part is null
   */
  public static String stable(String... parts) {
    if (parts == null || parts.length == 0) {
      throw new IllegalArgumentException("MessageIds.stable needs at least one part");
    }
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      if (parts[i] == null) {
        throw new IllegalArgumentException("MessageIds.stable: part " + i + " is null");
      }
      if (i > 0) {
        key.append(':');
      }
      key.append(parts[i]);
    }
    byte[] hash;
    try {
      hash = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
    char[] out = new char[36];
    int o = 0;
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        out[o++] = '-';
      }
      out[o++] = HEX[(hash[i] >> 4) & 0xF];
      out[o++] = HEX[hash[i] & 0xF];
    }
    return new String(out);
  }
}
