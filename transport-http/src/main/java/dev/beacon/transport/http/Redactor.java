package dev.beacon.transport.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Removes the write key, in clear or in base64, from text that may reach logs, exception messages
 * or the error callback: a server (or a proxy) could echo the Authorization header back.
 */
final class Redactor {
  static final String REDACTED = "<redacted>";

  private final String[] secrets;

  Redactor(String writeKey) {
    Base64.Encoder b64 = Base64.getEncoder();
    this.secrets = new String[] {
      b64.encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8)),
      b64.encodeToString(writeKey.getBytes(StandardCharsets.UTF_8)),
      writeKey,
    };
  }

  /** Returns the text with every occurrence of a secret replaced; null stays null. */
  String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String s : secrets) {
      if (!s.isEmpty() && out.contains(s)) {
        out = out.replace(s, REDACTED);
      }
    }
    return out;
  }
}
