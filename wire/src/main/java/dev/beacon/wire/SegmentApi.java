package dev.beacon.wire;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * The HTTP side of Segment's tracking API, shared by every Beacon server that speaks it (the
 * testkit's {@code CollectorServer}, the gateway): its routes as SDKs call them, its size limits,
 * bounded gzip inflation, HTTP Basic write keys, CORS answers and the settings document
 * analytics.js fetches first. What a body holds is {@link SegmentRequests}' concern. Not API.
 */
public final class SegmentApi {
  /** Segment's limit on one serialized message: 32 KB. */
  public static final int MAX_MESSAGE_BYTES = 32 * 1024;
  /** Segment's limit on one request body: 500 KB. */
  public static final int MAX_BATCH_BYTES = 500 * 1024;
  /** Segment's limit on messages per batch: 2,500. */
  public static final int MAX_BATCH_MESSAGES = 2500;
  /** The most bytes any body may have on the wire, whatever the limits: 16 MB. */
  public static final int MAX_WIRE_BYTES = 16 * 1024 * 1024;
  /** The request headers a preflight allows when the browser's own list is not a plain token list. */
  public static final String CORS_ALLOWED_HEADERS = "Content-Type, Authorization, Content-Encoding, X-Retry-Count";

  /** The single-call endpoints, by their long names and by the one letter analytics.js posts to. */
  private static final Map<String, String> SINGLE_CALLS = Map.ofEntries(
      Map.entry("/v1/identify", "identify"), Map.entry("/v1/track", "track"), Map.entry("/v1/page", "page"),
      Map.entry("/v1/screen", "screen"), Map.entry("/v1/group", "group"), Map.entry("/v1/alias", "alias"),
      Map.entry("/v1/i", "identify"), Map.entry("/v1/t", "track"), Map.entry("/v1/p", "page"),
      Map.entry("/v1/s", "screen"), Map.entry("/v1/g", "group"), Map.entry("/v1/a", "alias"));
  /**
   * The batch endpoints: {@code /v1/batch}, its legacy alias {@code /v1/import} (analytics-java's
   * default), and {@code /v1/b} and {@code /b}, where analytics.js's batching dispatcher posts
   * (its {@code apiHost} plus {@code /b}).
   */
  private static final Set<String> BATCH_CALLS = Set.of("/v1/batch", "/v1/import", "/v1/b", "/b");
  /** Where analytics.js fetches its settings first: {@code /v1/projects/{writeKey}/settings}. */
  public static final String SETTINGS_PREFIX = "/v1/projects/";
  private static final String SETTINGS_SUFFIX = "/settings";
  /** An Origin header as browsers send it (scheme://host[:port], or "null"). */
  private static final Pattern ORIGIN =
      Pattern.compile("null|[A-Za-z][A-Za-z0-9+.-]{0,15}://[A-Za-z0-9._~%!$&'()*+,;=:\\[\\]-]{1,253}");
  private static final Pattern HEADER_LIST = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~ ,-]{0,1024}");
  private static final Pattern HOST_HEADER = Pattern.compile("[A-Za-z0-9.:\\[\\]-]{1,261}");

  private SegmentApi() {}

  /** What a path names. */
  public enum Kind {
    /** A batch endpoint: {@code /v1/batch}, {@code /v1/import}, {@code /v1/b}, {@code /b}. */
    BATCH,
    /** A single-call endpoint, e.g. {@code /v1/track} or {@code /v1/t}. */
    SINGLE,
    /** {@code /v1/projects/{writeKey}/settings}. */
    SETTINGS,
    /** Anything else. */
    UNKNOWN
  }

  /**
   * A resolved request path.
   *
   * @param kind what the path names
   * @param path the path as sent, as it may be logged: a write key in a settings path is masked
   * @param type the message type a single-call endpoint implies, else null
   * @param settingsKey the write key of a settings path, else null (a secret: never log it)
   */
  public record Route(Kind kind, String path, String type, String settingsKey) {
    @Override
    public String toString() {
      return "Route[" + kind + " " + path + "]";
    }
  }

  /**
   * Resolves a request path (without its query) as Segment's API does; a trailing slash names the
   * same endpoint (analytics-java posts to {@code /v1/import/}).
   *
   * @param rawPath the path as sent
   * @return the route; {@link Kind#UNKNOWN} for a path no SDK calls
   */
  public static Route route(String rawPath) {
    String route = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
    if (route.startsWith(SETTINGS_PREFIX)) {
      String key = settingsKey(route);
      // A write key is in such a path (a mistyped one too): never log it.
      String logged = SETTINGS_PREFIX + "***" + (key != null ? SETTINGS_SUFFIX : "");
      return new Route(key != null ? Kind.SETTINGS : Kind.UNKNOWN, logged, null, key);
    }
    String single = SINGLE_CALLS.get(route);
    if (single != null) {
      return new Route(Kind.SINGLE, rawPath, single, null);
    }
    return new Route(BATCH_CALLS.contains(route) ? Kind.BATCH : Kind.UNKNOWN, rawPath, null, null);
  }

  private static String settingsKey(String route) {
    if (!route.endsWith(SETTINGS_SUFFIX)) {
      return null;
    }
    int end = route.length() - SETTINGS_SUFFIX.length();
    if (end <= SETTINGS_PREFIX.length()) {
      return null;
    }
    String key = route.substring(SETTINGS_PREFIX.length(), end);
    return key.indexOf('/') >= 0 ? null : key;
  }

  /**
   * The most bytes read of a body whose uncompressed limit is {@code limit}: the limit, plus what
   * gzip adds to data it cannot compress (5 bytes per 16 KB block and its 18-byte frame), rounded up.
   *
   * @param limit the uncompressed limit
   * @return the wire limit, at most {@link #MAX_WIRE_BYTES}
   */
  public static int wireCap(int limit) {
    return (int) Math.min(MAX_WIRE_BYTES, limit + (long) limit / 1024 + 1024);
  }

  /**
   * Inflates a gzip body, stopping as soon as its content passes {@code limit}: a gzip bomb costs
   * at most {@code limit} bytes of memory and the time to inflate them.
   *
   * @param raw the body as sent
   * @param limit the largest content accepted
   * @return the content, or null when it is larger than {@code limit}
   * @throws IOException when the body is not valid gzip
   */
  public static byte[] gunzip(byte[] raw, int limit) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 16 * 1024)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, raw.length * 8 + 64));
      byte[] buf = new byte[16 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > limit) {
          return null;
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  /**
   * The user part of an HTTP Basic {@code Authorization} header, which is where Segment's SDKs put
   * the write key (the password is empty).
   *
   * @param header the header value, not null
   * @return the user as bytes, or null when the header is not Basic, not Base64 or has an empty user
   */
  public static byte[] basicAuthUser(String header) {
    String v = header.trim();
    if (v.length() < 6 || !v.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(v.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = -1;
    for (int i = 0; i < decoded.length; i++) {
      if (decoded[i] == ':') {
        colon = i;
        break;
      }
    }
    byte[] user = colon < 0 ? decoded : Arrays.copyOf(decoded, colon);
    return user.length == 0 ? null : user;
  }

  /**
   * Whether an {@code Origin} header is one a browser sends ({@code scheme://host[:port]} or
   * {@code null}); anything else gets no CORS answer.
   *
   * @param origin the header value
   * @return whether it is well formed and short
   */
  public static boolean wellFormedOrigin(String origin) {
    return origin.length() <= 300 && ORIGIN.matcher(origin).matches();
  }

  /**
   * The {@code Access-Control-Allow-Headers} of a preflight answer: what the page asks for
   * (analytics.js may add its own headers) when it is a plain list of header names, otherwise
   * {@link #CORS_ALLOWED_HEADERS}.
   *
   * @param asked the {@code Access-Control-Request-Headers} sent, or null
   * @return the value to answer
   */
  public static String corsAllowHeaders(String asked) {
    return asked != null && !asked.isBlank() && HEADER_LIST.matcher(asked).matches() ? asked : CORS_ALLOWED_HEADERS;
  }

  /**
   * A {@code Host} header safe to echo into the settings document, or null.
   *
   * @param host the header value, or null
   * @return the host when it is a plain host[:port], else null
   */
  public static String safeHost(String host) {
    return host != null && HOST_HEADER.matcher(host).matches() ? host : null;
  }

  /**
   * The settings analytics.js fetches before anything else (from its {@code cdnURL}): its
   * Segment.io integration points {@code apiHost} at {@code authority}, so that a page loading
   * analytics.js with {@code cdnURL: "http://HOST:PORT"} sends its calls there; metrics sampling
   * is off (analytics.js would otherwise post its own usage metrics to api.segment.io).
   *
   * @param writeKey the key asked for, echoed as the integration's {@code apiKey}
   * @param authority host[:port] the page reached the server at
   * @param https whether the server speaks HTTPS
   * @return the JSON document
   */
  public static String settingsJson(String writeKey, String authority, boolean https) {
    return "{\"integrations\":{\"Segment.io\":{\"apiKey\":" + jsonString(writeKey)
        + ",\"apiHost\":" + jsonString(authority + "/v1") + ",\"protocol\":\"" + (https ? "https" : "http")
        + "\",\"unbundledIntegrations\":[],\"addBundledMetadata\":true,\"maybeBundledConfigIds\":{}}},"
        + "\"plan\":{\"track\":{\"__default\":{\"enabled\":true,\"integrations\":{}}},"
        + "\"identify\":{\"__default\":{\"enabled\":true}},\"group\":{\"__default\":{\"enabled\":true}}},"
        + "\"metrics\":{\"sampleRate\":0},\"edgeFunction\":{},\"analyticsNextEnabled\":true,"
        + "\"middlewareSettings\":{},\"enabledMiddleware\":{},\"enabledBundlingIntegrations\":{},"
        + "\"legacyVideoPluginsEnabled\":false,\"remotePlugins\":[]}";
  }

  /**
   * The body of an error answer, as Segment's API writes it.
   *
   * @param detail what went wrong (the rule broken)
   * @return {@code {"success":false,"message":"..."}}
   */
  public static String errorBody(String detail) {
    return "{\"success\":false,\"message\":" + jsonString(detail) + "}";
  }

  /**
   * A JSON string literal.
   *
   * @param s the text
   * @return it quoted, with quotes, backslashes and control characters escaped
   */
  public static String jsonString(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
