package dev.beacon.trackingplan;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Beacon's wording of a violation. The JSON Schema validator's own messages are written to follow
 * a property name it does not print here ("does not match the email pattern must be a valid RFC
 * 5321 Mailbox"), so the ones that read badly after a path are rephrased; any other message, or
 * one whose text a validator version changed, is kept as the validator wrote it. The value itself
 * is never quoted: it may be personal data (an email address) and violations are logged.
 */
final class ViolationMessages {
  /** How a {@code format} reads after "not a valid": the formats Segment's plans use most. */
  private static final Map<String, String> FORMATS = Map.ofEntries(
      Map.entry("email", "email address"), Map.entry("idn-email", "email address"),
      Map.entry("date-time", "date-time (RFC 3339, e.g. 2024-06-01T12:00:00Z)"),
      Map.entry("date", "date (e.g. 2024-06-01)"), Map.entry("time", "time (e.g. 12:00:00Z)"),
      Map.entry("uri", "URI"), Map.entry("uri-reference", "URI reference"), Map.entry("uuid", "UUID"),
      Map.entry("ipv4", "IPv4 address"), Map.entry("ipv6", "IPv6 address"), Map.entry("hostname", "host name"));
  private static final Pattern FORMAT = Pattern.compile("does not match the (\\S+) pattern.*", Pattern.DOTALL);
  private static final Pattern TYPE = Pattern.compile("(\\w+) found, (.+) expected");
  private static final Pattern ENUM = Pattern.compile("does not have a value in the enumeration (.*)", Pattern.DOTALL);
  private static final Pattern MINIMUM = Pattern.compile("must have a minimum value of (\\S+)");
  private static final Pattern MAXIMUM = Pattern.compile("must have a maximum value of (\\S+)");
  private static final Pattern EXCLUSIVE_MINIMUM = Pattern.compile("must have an exclusive minimum value of (\\S+)");
  private static final Pattern EXCLUSIVE_MAXIMUM = Pattern.compile("must have an exclusive maximum value of (\\S+)");
  private static final Pattern MIN_LENGTH = Pattern.compile("must be at least (\\d+) characters long");
  private static final Pattern MAX_LENGTH = Pattern.compile("must be at most (\\d+) characters long");
  private static final Pattern MIN_ITEMS = Pattern.compile("must have at least (\\d+) items(?: but found (\\d+))?");
  private static final Pattern PATTERN = Pattern.compile("does not match the regex pattern (.*)", Pattern.DOTALL);
  /** Event names longer than this get no suggestion: the distance costs their length squared. */
  private static final int MAX_SUGGESTED_LENGTH = 200;

  private ViolationMessages() {}

  /**
   * Rewords a validator message.
   *
   * @param keyword the JSON Schema keyword that failed, or null
   * @param raw the validator's message
   * @return Beacon's wording, or {@code raw} when it has none for this message
   */
  static String rephrase(String keyword, String raw) {
    if (keyword == null || raw == null) {
      return raw;
    }
    Matcher m;
    switch (keyword) {
      case "format":
        if ((m = FORMAT.matcher(raw)).matches()) {
          String format = m.group(1).toLowerCase(Locale.ROOT);
          return "not a valid " + FORMATS.getOrDefault(format, "'" + format + "' (JSON Schema format)");
        }
        break;
      case "type":
        if ((m = TYPE.matcher(raw)).matches()) {
          return article(m.group(1)) + ", but the plan expects " + articles(m.group(2));
        }
        break;
      case "enum":
        if ((m = ENUM.matcher(raw)).matches()) {
          return "not one of the allowed values " + m.group(1);
        }
        break;
      case "minimum":
        if ((m = MINIMUM.matcher(raw)).matches()) {
          return "must be at least " + m.group(1);
        }
        break;
      case "maximum":
        if ((m = MAXIMUM.matcher(raw)).matches()) {
          return "must be at most " + m.group(1);
        }
        break;
      case "exclusiveMinimum":
        if ((m = EXCLUSIVE_MINIMUM.matcher(raw)).matches()) {
          return "must be greater than " + m.group(1);
        }
        break;
      case "exclusiveMaximum":
        if ((m = EXCLUSIVE_MAXIMUM.matcher(raw)).matches()) {
          return "must be less than " + m.group(1);
        }
        break;
      case "minLength":
        if ((m = MIN_LENGTH.matcher(raw)).matches()) {
          return "must be at least " + m.group(1) + " character" + ("1".equals(m.group(1)) ? "" : "s") + " long";
        }
        break;
      case "maxLength":
        if ((m = MAX_LENGTH.matcher(raw)).matches()) {
          return "must be at most " + m.group(1) + " character" + ("1".equals(m.group(1)) ? "" : "s") + " long";
        }
        break;
      case "minItems":
        if ((m = MIN_ITEMS.matcher(raw)).matches()) {
          return "must have at least " + m.group(1) + " item" + ("1".equals(m.group(1)) ? "" : "s")
              + (m.group(2) == null ? "" : " (has " + m.group(2) + ")");
        }
        break;
      case "pattern":
        if ((m = PATTERN.matcher(raw)).matches()) {
          return "does not match the pattern " + m.group(1);
        }
        break;
      default:
        break;
    }
    return raw;
  }

  /**
   * The message of a track event the plan does not list, with the nearest planned name when one
   * is close: {@code 'Order Complted' is not in the tracking plan; did you mean 'Order Completed'?}
   *
   * @param event the event name sent
   * @param planned the plan's event names
   * @return the message
   */
  static String unplanned(String event, Iterable<String> planned) {
    String nearest = nearest(event, planned);
    return "'" + event + "' is not in the tracking plan" + (nearest == null ? "" : "; did you mean '" + nearest + "'?");
  }

  /**
   * The planned name closest to {@code event} (edit distance, ignoring case), when it is close
   * enough to be a typo: at most a quarter of the name's length, and at least 1, edits. Ties go
   * to the name that sorts first, so the suggestion does not depend on the plan's order.
   */
  static String nearest(String event, Iterable<String> planned) {
    if (event.isEmpty() || event.length() > MAX_SUGGESTED_LENGTH) {
      return null;
    }
    String e = event.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String name : planned) {
      int limit = Math.max(1, Math.max(name.length(), event.length()) / 4);
      if (Math.abs(name.length() - event.length()) > limit) {
        continue;
      }
      int d = distance(e, name.toLowerCase(Locale.ROOT));
      if (d <= limit && (d < bestDistance || d == bestDistance && name.compareTo(best) < 0)) {
        best = name;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance, two rows. */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** "string" → "a string", "integer" → "an integer". */
  private static String article(String type) {
    return (type.matches("(?i)[aeiou].*") ? "an " : "a ") + type;
  }

  /** "number" → "a number"; a list such as "[integer, string]" is kept. */
  private static String articles(String types) {
    return types.matches("\\w+") ? article(types) : types;
  }
}
