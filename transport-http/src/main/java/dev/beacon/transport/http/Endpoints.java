package dev.beacon.transport.http;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Checks and resolves the API endpoint: TLS unless the host is loopback or the user opted in.
 * Loopback is decided from the literal host only, never with a DNS lookup, so that look-alikes
 * such as {@code localhost.example.com} or {@code 127.0.0.1.nip.io} are refused.
 */
final class Endpoints {
  /** The batch endpoint, relative to the API base URI. */
  static final String BATCH_PATH = "/v1/batch";

  private Endpoints() {}

  /**
   * Validates an API base URI and returns the batch URI.
   *
   * @throws IllegalArgumentException naming the problem; never echoes user info
   */
  static URI batchUri(URI endpoint, boolean allowInsecureHttp) {
    if (endpoint == null) {
      throw new IllegalArgumentException("endpoint must not be null");
    }
    String scheme = endpoint.getScheme() == null ? null : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (endpoint.getRawUserInfo() != null) {
      // The user info may be a secret: do not repeat the URI.
      throw new IllegalArgumentException("endpoint must not contain user info (user:password@);"
          + " the write key is sent in the Authorization header");
    }
    if (!"https".equals(scheme) && !"http".equals(scheme)) {
      throw new IllegalArgumentException("endpoint must be an https:// (or loopback http://) URI but was " + endpoint);
    }
    String host = endpoint.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("endpoint must have a host but was " + endpoint);
    }
    if (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException("endpoint must not have a query or fragment but was " + endpoint);
    }
    if ("http".equals(scheme) && !allowInsecureHttp && !isLoopback(host)) {
      throw new IllegalArgumentException("endpoint " + endpoint + " uses plaintext http:// to a host that is not"
          + " loopback: the write key and your users' data would travel unencrypted. Use https://, or opt in"
          + " explicitly with HttpTransport.builder(...).allowInsecureHttp(true) (only localhost, 127.0.0.0/8"
          + " and [::1] are allowed without it)");
    }
    String path = endpoint.getRawPath() == null ? "" : endpoint.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return URI.create(scheme + "://" + endpoint.getRawAuthority() + path + BATCH_PATH);
  }

  /**
   * Whether a URI host is a loopback literal: {@code localhost}, an IPv4 address in 127.0.0.0/8
   * written as four decimal octets, or an IPv6 loopback literal in brackets.
   */
  static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (h.startsWith("[") && h.endsWith("]")) {
      String literal = h.substring(1, h.length() - 1);
      if (literal.indexOf(':') < 0 || !literal.matches("[0-9a-f:.]+(%[0-9a-z._-]+)?")) {
        return false;
      }
      try {
        // A string with a colon is parsed as an IPv6 literal: no name lookup happens.
        return InetAddress.getByName(literal).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }
    return isLoopbackIpv4(h);
  }

  private static boolean isLoopbackIpv4(String h) {
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return false;
      }
      for (int i = 0; i < p.length(); i++) {
        if (p.charAt(i) < '0' || p.charAt(i) > '9') {
          return false;
        }
      }
      if (Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return parts[0].equals("127");
  }
}
