package dev.beacon.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The limits and refusals of Segment's wire format for input Beacon did not produce, defined once:
 * the relay's records, {@code beacon import}'s lines, the collector's request bodies (and the
 * gateway's) all go through them. Not API.
 *
 * <ul>
 *   <li>JSON text must be UTF-8 (a UTF-16 or UTF-32 body, which Jackson would otherwise detect and
 *       read, is refused), hold one value and nothing after it, and no object may repeat a key.
 *   <li>A number whose value cannot be represented (an exponent past the range of
 *       {@link BigDecimal}, such as {@code 1.5e-2147483648}) is a refusal, not an exception, and
 *       so is a number whose decimal exponent is beyond &plusmn;{@value #MAX_DECIMAL_EXPONENT}
 *       ({@code 1e2147483647} as a property value): no consumer of Segment data can hold it (a
 *       double ends near 1.8e308), and arithmetic on it (a tracking plan's {@code multipleOf},
 *       say) runs out of memory or throws.
 *   <li>An id sent as a number ({@code userId}, {@code anonymousId}, {@code messageId},
 *       {@code groupId}, {@code previousId}) becomes the text of its plain form, as Segment stores
 *       it, only when that text has at most {@link #MAX_NUMERIC_ID_CHARS} characters: the length is
 *       computed from the number's digits and exponent before any text is made, so
 *       {@code 1e2147483647} (a few bytes of JSON, two billion digits in plain form) is refused.
 * </ul>
 */
public final class WireRules {
  /** The longest plain form of an id sent as a number: 100 characters, Segment's messageId limit. */
  public static final int MAX_NUMERIC_ID_CHARS = 100;
  /** The largest decimal exponent of a number, either way: {@code 1e1000} and {@code 1e-1000} are the extremes. */
  public static final int MAX_DECIMAL_EXPONENT = 1000;
  /** The longest messageId accepted: 100 characters. */
  public static final int MAX_MESSAGE_ID_CHARS = 100;
  /**
   * The longest line of newline-delimited JSON read ({@code beacon import}, {@code beacon validate}):
   * 1 MiB, room for a 32 KB message however its text is escaped. A longer line is read past without
   * being held, and counted as invalid.
   */
  public static final int MAX_NDJSON_LINE_BYTES = 1 << 20;
  /** The fields Segment stores as strings, where a number sent is converted. */
  private static final String[] ID_FIELDS = {"userId", "anonymousId", "messageId", "groupId", "previousId"};

  private WireRules() {}

  /**
   * Returns the id fields a number may be sent in.
   *
   * @return a fresh array: userId, anonymousId, messageId, groupId, previousId
   */
  public static String[] idFields() {
    return ID_FIELDS.clone();
  }

  /**
   * Opens a parser on JSON text under the shared policy: UTF-8 only, duplicate keys refused.
   * The caller still checks that nothing follows the value ({@link #requireEnd(JsonParser)}).
   *
   * @param factory the factory to create the parser with
   * @param json the text
   * @param offset start in the buffer
   * @param length length of the text
   * @return a parser with strict duplicate detection
   * @throws IllegalArgumentException when the text is not UTF-8 (it starts as UTF-16 or UTF-32 does)
   * @throws IOException when the parser cannot be created
   */
  public static JsonParser parser(JsonFactory factory, byte[] json, int offset, int length) throws IOException {
    requireUtf8(json, offset, length);
    JsonParser p = factory.createParser(json, offset, length);
    p.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION.mappedFeature());
    return p;
  }

  /**
   * Opens a parser under the shared policy except duplicate keys, which the caller refuses itself
   * ({@link WireReader} does, without the hash set per object Jackson's detection makes). The
   * caller still checks that nothing follows the value.
   *
   * @param factory the factory to create the parser with
   * @param json the text
   * @param offset start in the buffer
   * @param length length of the text
   * @return a parser without duplicate detection
   * @throws IllegalArgumentException when the text is not UTF-8 (it starts as UTF-16 or UTF-32 does)
   * @throws IOException when the parser cannot be created
   */
  static JsonParser parserWithoutDuplicateCheck(JsonFactory factory, byte[] json, int offset, int length)
      throws IOException {
    requireUtf8(json, offset, length);
    return factory.createParser(json, offset, length);
  }

  /**
   * Refuses text that is not UTF-8. JSON text begins with an ASCII character (or a UTF-8 BOM), so
   * a zero byte among its first four bytes, or a UTF-16 byte-order mark, means another encoding,
   * which Jackson would detect and accept.
   *
   * @param json the text
   * @param offset start in the buffer
   * @param length length
   * @throws IllegalArgumentException when the text is UTF-16 or UTF-32
   */
  public static void requireUtf8(byte[] json, int offset, int length) {
    int n = Math.min(4, length);
    for (int i = 0; i < n; i++) {
      if (json[offset + i] == 0) {
        throw new IllegalArgumentException("the JSON text is not UTF-8 (it looks like UTF-16 or UTF-32)");
      }
    }
    if (length >= 2) {
      int b0 = json[offset] & 0xFF;
      int b1 = json[offset + 1] & 0xFF;
      if ((b0 == 0xFE && b1 == 0xFF) || (b0 == 0xFF && b1 == 0xFE)) {
        throw new IllegalArgumentException("the JSON text is not UTF-8 (it starts with a UTF-16 byte-order mark)");
      }
    }
  }

  /**
   * Refuses anything after the value just read.
   *
   * @param p a parser positioned on the last token of a value
   * @throws IllegalArgumentException when another token follows
   * @throws IOException when what follows is not even a token
   */
  public static void requireEnd(JsonParser p) throws IOException {
    if (p.nextToken() != null) {
      throw new IllegalArgumentException("unexpected content after the JSON value");
    }
  }

  /**
   * Reads the current floating-point token as a {@link BigDecimal}.
   *
   * @param p a parser on a {@code VALUE_NUMBER_FLOAT}
   * @return the value
   * @throws IllegalArgumentException when the number's exponent is out of {@link BigDecimal}'s range
   * @throws IOException from the parser
   */
  public static BigDecimal decimal(JsonParser p) throws IOException {
    BigDecimal d;
    try {
      d = p.getDecimalValue();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new OutOfRange("", "the number " + shortText(p.getText()) + " is out of range (its exponent is too large)");
    }
    checkNumber(d);
    return d;
  }

  /**
   * Whether the current floating-point token is a decimal written without an exponent in at most
   * 40 characters: its decimal exponent is then within a few dozen of zero, far inside
   * &plusmn;{@value #MAX_DECIMAL_EXPONENT}, so a streaming reader can accept it without building a
   * {@link BigDecimal}; any other number is left to {@link #decimal(JsonParser)}.
   *
   * @param p a parser on a {@code VALUE_NUMBER_FLOAT}
   * @return true when the number is certainly within range
   * @throws IOException from the parser
   */
  public static boolean plainDecimal(JsonParser p) throws IOException {
    int n = p.getTextLength();
    if (n > 40) {
      return false;
    }
    char[] c = p.getTextCharacters();
    int off = p.getTextOffset();
    for (int i = off; i < off + n; i++) {
      if (c[i] == 'e' || c[i] == 'E') {
        return false;
      }
    }
    return true;
  }

  /**
   * Refuses a number whose decimal exponent is beyond &plusmn;{@value #MAX_DECIMAL_EXPONENT}.
   *
   * @param n a number (only {@link BigDecimal} and {@link BigInteger} can be that large)
   * @throws IllegalArgumentException naming the number when it is out of range
   */
  public static void checkNumber(Number n) {
    if (n instanceof BigDecimal) {
      BigDecimal d = (BigDecimal) n;
      if (d.signum() != 0) {
        long exponent = (long) d.precision() - d.scale() - 1;
        if (exponent > MAX_DECIMAL_EXPONENT || exponent < -MAX_DECIMAL_EXPONENT) {
          throw outOfRange(d.toString());
        }
      }
    } else if (n instanceof BigInteger && ((BigInteger) n).bitLength() > MAX_BIG_INTEGER_BITS) {
      throw outOfRange("of " + ((BigInteger) n).bitLength() + " bits");
    }
  }

  /** 2^3325 is about 10^1000.9: the bits of an integer of 1,001 digits. */
  private static final int MAX_BIG_INTEGER_BITS = 3325;

  private static IllegalArgumentException outOfRange(String number) {
    return new OutOfRange("", "the number " + shortText(number) + " is out of range (its decimal"
        + " exponent is beyond +/-" + MAX_DECIMAL_EXPONENT + ")");
  }

  /**
   * Applies {@link #checkNumber} to every number in a parsed JSON value (maps, lists, numbers),
   * for parsers that build the value first (Jackson's databind). Recursive: the parser's nesting
   * limit (1,000 levels) bounds the depth.
   *
   * @param value a parsed value
   * @throws IllegalArgumentException at the first number out of range, naming its path
   *     ({@code properties.x[1].y: the number ... is out of range})
   */
  public static void checkNumbers(Object value) {
    if (value instanceof java.util.Map) {
      for (java.util.Map.Entry<?, ?> e : ((java.util.Map<?, ?>) value).entrySet()) {
        try {
          checkNumbers(e.getValue());
        } catch (OutOfRange r) {
          throw r.under(String.valueOf(e.getKey()));
        }
      }
    } else if (value instanceof java.util.List) {
      int i = 0;
      for (Object child : (java.util.List<?>) value) {
        try {
          checkNumbers(child);
        } catch (OutOfRange r) {
          throw r.under("[" + i + "]");
        }
        i++;
      }
    } else if (value instanceof Number) {
      checkNumber((Number) value);
    }
  }

  /** A number out of range, with the path of the field holding it (built on the way out). */
  static final class OutOfRange extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String path;
    private final String detail;

    OutOfRange(String path, String detail) {
      super(path.isEmpty() ? detail : printable(path, 200) + ": " + detail, null);
      this.path = path;
      this.detail = detail;
    }

    /** The same refusal one level up: {@code segment} is a field name or an {@code [index]}. */
    OutOfRange under(String segment) {
      return new OutOfRange(path.isEmpty() ? segment : path.startsWith("[") ? segment + path : segment + "." + path,
          detail);
    }
  }

  /**
   * Turns an id sent as a number into the text Segment stores: the plain form of the number
   * ({@code 12345}, {@code 1.5}; {@code 1e3} becomes {@code 1000}).
   *
   * @param field the field name, for the error text
   * @param n the number (Long, Integer, BigInteger, BigDecimal, Double...)
   * @return the text
   * @throws IllegalArgumentException when the plain form would be longer than
   *     {@value #MAX_NUMERIC_ID_CHARS} characters, or the number is not finite
   */
  public static String numericId(String field, Number n) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return n.toString();
    }
    BigDecimal d;
    if (n instanceof BigInteger) {
      d = new BigDecimal((BigInteger) n);
    } else if (n instanceof BigDecimal) {
      d = (BigDecimal) n;
    } else {
      double v = n.doubleValue();
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(field + " is a number that is not finite: " + n);
      }
      d = BigDecimal.valueOf(v);
    }
    long chars = plainLength(d);
    if (chars > MAX_NUMERIC_ID_CHARS) {
      throw new IllegalArgumentException(field + " is a number whose plain form would be " + chars
          + " characters; an id sent as a number may have at most " + MAX_NUMERIC_ID_CHARS
          + " (send it as a string)");
    }
    return d.toPlainString();
  }

  /** The length of {@link BigDecimal#toPlainString()}, computed without making it (an upper bound for zero). */
  static long plainLength(BigDecimal d) {
    long precision = d.precision();
    long scale = d.scale();
    long sign = d.signum() < 0 ? 1 : 0;
    if (scale <= 0) {
      return sign + precision - scale;
    }
    // digits after the point, the point, and at least one digit before it
    return sign + Math.max(precision, scale + 1) + 1;
  }

  /**
   * Makes text safe to print on a terminal: control characters (C0, DEL, C1, and the line and
   * paragraph separators) become {@code \}{@code uXXXX} escapes ({@code \n}, {@code \r}, {@code \t}
   * as such), so that input cannot clear a screen or forge an output line; text longer than
   * {@code maxChars} is cut and ends with an ellipsis.
   *
   * @param s any text, or null
   * @param maxChars the most characters of {@code s} kept, positive
   * @return the escaped text; {@code "null"} for null
   */
  public static String printable(String s, int maxChars) {
    if (s == null) {
      return "null";
    }
    int n = Math.min(s.length(), maxChars);
    StringBuilder b = null;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029';
      if (control && b == null) {
        b = new StringBuilder(n + 16).append(s, 0, i);
      }
      if (b != null) {
        if (!control) {
          b.append(c);
        } else if (c == '\n') {
          b.append("\\n");
        } else if (c == '\r') {
          b.append("\\r");
        } else if (c == '\t') {
          b.append("\\t");
        } else {
          b.append(String.format("\\u%04x", (int) c));
        }
      }
    }
    String out = b == null ? s.substring(0, n) : b.toString();
    return n < s.length() ? out + "..." : out;
  }

  private static String shortText(String text) {
    return printable(text, 40);
  }
}
