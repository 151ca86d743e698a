package dev.beacon.internal;

import dev.beacon.Message;

/**
 * Cheap upper bounds of serialized JSON sizes, so that the 32 KB check costs a scan rather than a
 * serialization on the caller's thread. Not API.
 */
public final class MessageSizes {
  /**
   * Bytes for every key and fixed-width value of a message: the field names, {@code type}, the
   * millisecond timestamp, and the {@code context.library} object Beacon adds.
   */
  public static final int FIXED_OVERHEAD = 320 + Library.NAME.length() + Library.VERSION.length();

  private MessageSizes() {}

  /**
   * Upper bound of a JSON string's UTF-8 size, quotes included; 0 for null (field omitted).
   * Exact for what {@link MessageSerializer}'s generator writes, except that every control
   * character counts as a 6-byte <code>&#92;u00XX</code> escape (some have 2-byte escapes such as
   * {@code \n}): a surrogate pair is 4 bytes of UTF-8 (the generator combines pairs), and a lone
   * surrogate, which has no UTF-8 form, is written as a 6-byte <code>&#92;uXXXX</code> escape.
   *
   * @param s any string, or null
   * @return the bound in bytes
   */
  public static int stringBound(String s) {
    if (s == null) {
      return 0;
    }
    int n = s.length();
    long bytes = 2;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += (c < 0x20) ? 6 : (c == '"' || c == '\\') ? 2 : 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (!Character.isSurrogate(c)) {
        bytes += 3;
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 6;
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  /**
   * Like {@link #stringBound(String)} for a string that may hold lone surrogates, in one pass.
   *
   * @param s a string, not null
   * @return the bound, or -1 when {@code s} holds a lone surrogate (repair it with {@link #sanitize})
   */
  public static int stringBoundIfWellFormed(String s) {
    int n = s.length();
    long bytes = 2;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += (c < 0x20) ? 6 : (c == '"' || c == '\\') ? 2 : 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 4;
          i++;
        } else {
          return -1;
        }
      } else {
        bytes += 3;
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  /**
   * Replaces lone UTF-16 surrogates with U+FFFD so the string always encodes to valid UTF-8.
   *
   * @param s any string
   * @return {@code s} itself when it is well formed, otherwise a repaired copy
   */
  public static String sanitize(String s) {
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return repair(s);
      }
    }
    return s;
  }

  private static String repair(String s) {
    StringBuilder b = new StringBuilder(s.length());
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        b.append('\uFFFD');
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  /**
   * Returns the size bound of a message after checking Segment's 32 KB limit: when the cheap bound
   * exceeds the limit, the message is serialized to learn its exact size.
   *
   * @param message a fully built message
   * @param bound the cheap upper bound
   * @return a bound not above {@link Message#MAX_MESSAGE_BYTES}
   * @throws IllegalArgumentException when the serialized message exceeds 32 KB, with its size
   */
  public static int checkedSizeBound(Message message, int bound) {
    if (bound <= Message.MAX_MESSAGE_BYTES) {
      return bound;
    }
    int exact = MessageSerializer.serializedSize(message);
    if (exact > Message.MAX_MESSAGE_BYTES) {
      throw new IllegalArgumentException(message.type().wireName() + " message is " + exact
          + " bytes when serialized; Segment accepts at most " + Message.MAX_MESSAGE_BYTES
          + " bytes (32 KB) per message");
    }
    return exact;
  }
}
