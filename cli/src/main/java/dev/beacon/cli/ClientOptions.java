package dev.beacon.cli;

import dev.beacon.Analytics;
import dev.beacon.Region;
import dev.beacon.transport.http.HttpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** Where and how to send: shared by the commands that send. */
final class ClientOptions {
  private static final Logger LOG = LoggerFactory.getLogger(ClientOptions.class);

  @Option(names = "--endpoint", paramLabel = "URI",
      description = "API base URI (default: the region's, https://api.segment.io)")
  URI endpoint;

  @Option(names = "--region", paramLabel = "US|EU", description = "Segment region: ${COMPLETION-CANDIDATES}")
  Region region;

  @Option(names = "--write-key-file", paramLabel = "FILE",
      description = "file holding the write key (default: the SEGMENT_WRITE_KEY environment variable;"
          + " never pass the key itself on the command line, where ps shows it)")
  Path writeKeyFile;

  @Option(names = "--write-key", paramLabel = "KEY",
      description = "the write key itself, for a loopback endpoint only (a local collector such as `beacon"
          + " collect`, whose key is no secret); refused for any other endpoint")
  String writeKeyArgument;

  @Option(names = "--rate", paramLabel = "N",
      description = "at most N requests per second (default: no cap; Segment allows about 1,000/s per workspace)")
  Double rate;

  @Option(names = "--gzip", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "gzip request bodies (default: on)")
  boolean gzip;

  @Option(names = "--gzip-compressor", paramLabel = "NAME",
      description = "the compressor that gzips request bodies: libdeflate (the default: bundled, about 1.6-2x"
          + " as fast as the JDK's Deflater, falls back to jdk with one warning where its native library cannot"
          + " load) or jdk")
  String gzipCompressor;

  @Option(names = "--allow-insecure-http",
      description = "allow a plaintext http:// endpoint on a host that is not loopback (e.g. `beacon collect`"
          + " on another machine of a trusted network); the write key and the events travel unencrypted")
  boolean allowInsecureHttp;

  @Option(names = "--debug", description = "log every batch and retry (never the write key)")
  boolean debug;

  @Option(names = "--verbose", description = "show stack traces of errors")
  boolean verbose;

  /** Reads the write key; {@link ExitCodes#USAGE} when there is none. */
  String writeKey() {
    if (writeKeyArgument != null) {
      if (writeKeyFile != null) {
        throw new CliException(ExitCodes.USAGE, "--write-key and --write-key-file are exclusive: give one");
      }
      URI uri = endpointOrDefault();
      if (!isLoopback(uri.getHost())) {
        // Never echo the key: it may be a real one typed by mistake.
        throw new CliException(ExitCodes.USAGE, "--write-key is accepted only for a loopback endpoint (localhost,"
            + " 127.x.x.x, [::1]), but the endpoint is " + uri + ": a key on the command line is visible to"
            + " other users (ps, shell history). Set SEGMENT_WRITE_KEY or pass --write-key-file FILE");
      }
      if (writeKeyArgument.isBlank()) {
        throw new CliException(ExitCodes.USAGE, "--write-key must not be blank");
      }
      return writeKeyArgument.strip();
    }
    if (writeKeyFile != null) {
      return readKeyFile(writeKeyFile, "write key file");
    }
    String env = System.getenv("SEGMENT_WRITE_KEY");
    if (env == null || env.isBlank()) {
      throw new CliException(ExitCodes.USAGE,
          "no write key: set SEGMENT_WRITE_KEY or pass --write-key-file FILE"
              + (isLoopback(endpointOrDefault().getHost()) ? " (or --write-key KEY, for this loopback endpoint)" : ""));
    }
    return env.strip();
  }

  /**
   * Reads a write key from a file, stripped; {@link ExitCodes#USAGE} when it is empty,
   * {@link ExitCodes#FATAL} when it cannot be read. Never puts the key in a message.
   *
   * @param file the file
   * @param what how messages name the file, e.g. {@code write key file}
   */
  static String readKeyFile(Path file, String what) {
    try {
      String key = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (key.isEmpty()) {
        throw new CliException(ExitCodes.USAGE, "the " + what + " " + file + " is empty");
      }
      return key;
    } catch (IOException e) {
      throw new CliException(ExitCodes.FATAL, "cannot read the " + what + " " + file + ": " + e.getMessage(), e);
    }
  }

  URI endpointOrDefault() {
    if (endpoint != null && region != null) {
      throw new CliException(ExitCodes.USAGE, "--endpoint and --region are exclusive: give one");
    }
    if (endpoint != null) {
      return endpoint;
    }
    return region != null ? region.endpoint() : Region.US.endpoint();
  }

  /**
   * Whether a URI host is a loopback literal ({@code localhost}, 127.0.0.0/8, {@code [::1]}), decided
   * from the text alone as the HTTP transport does: no name lookup, so {@code 127.0.0.1.example.com}
   * is not loopback.
   */
  static boolean isLoopback(String host) {
    if (host == null || host.isEmpty()) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("localhost")) {
      return true;
    }
    if (h.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
      for (String octet : h.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return false;
        }
      }
      return h.startsWith("127.");
    }
    if (!h.matches("\\[[0-9a-f:.]*:[0-9a-f:.]*]")) {
      return false;
    }
    try {
      // Text with a colon is parsed as an IPv6 literal: no name lookup happens.
      return InetAddress.getByName(h.substring(1, h.length() - 1)).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** A client on the HTTP transport configured by these options. */
  Analytics.Builder builder(String writeKey) {
    return builder(writeKey, null);
  }

  /**
   * A client on the HTTP transport configured by these options.
   *
   * @param attemptTimeout when not null, bounds the connect and response timeouts of each request
   */
  Analytics.Builder builder(String writeKey, Duration attemptTimeout) {
    HttpTransport transport = transport(writeKey, attemptTimeout);
    return Analytics.builder(writeKey).endpoint(endpointOrDefault()).transport(transport).debug(debug)
        .shutdownHook(false);
  }

  /**
   * The HTTP transport configured by these options ({@code import}, {@code send} and {@code relay}
   * deliver through it). With {@code --debug} it logs which compressor gzips the bodies.
   *
   * @param attemptTimeout when not null, bounds the connect and response timeouts of each request
   * @throws CliException {@link ExitCodes#USAGE} when an option is refused
   */
  HttpTransport transport(String writeKey, Duration attemptTimeout) {
    URI uri = endpointOrDefault();
    HttpTransport.Builder http = HttpTransport.builder(writeKey).endpoint(uri).gzip(gzip).debug(debug)
        .allowInsecureHttp(allowInsecureHttp);
    if (gzipCompressor != null) {
      if (gzipCompressor.isBlank()) {
        throw new CliException(ExitCodes.USAGE, "--gzip-compressor must name a compressor (libdeflate or jdk)"
            + " but was '" + gzipCompressor + "'");
      }
      http.gzipCompressor(gzipCompressor);
    }
    if (attemptTimeout != null) {
      http.connectTimeout(min(attemptTimeout, Duration.ofSeconds(HttpTransport.DEFAULT_CONNECT_TIMEOUT_SECONDS)))
          .responseTimeout(min(attemptTimeout, Duration.ofSeconds(HttpTransport.DEFAULT_RESPONSE_TIMEOUT_SECONDS)));
    }
    if (rate != null) {
      http.maxRequestsPerSecond(rate);
    }
    HttpTransport transport;
    try {
      transport = http.build();
    } catch (IllegalArgumentException e) {
      String msg = e.getMessage();
      if (msg != null && msg.contains("allowInsecureHttp")) {
        // The transport speaks to Java callers; name the command-line switch instead.
        msg = "endpoint " + uri + " uses plaintext http:// to a host that is not loopback: the write key and"
            + " the events would travel unencrypted. Use https://, or pass --allow-insecure-http";
      } else if (msg != null && msg.startsWith("gzipCompressor")) {
        msg = "--gzip-compressor" + msg.substring("gzipCompressor".length());
      }
      throw new CliException(ExitCodes.USAGE, msg, e);
    }
    if (debug && gzip) {
      LOG.info("HTTP transport: gzip compressor {}", transport.gzipCompressor());
    }
    return transport;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** A client that validates and batches but sends nothing (for --dry-run). */
  Analytics.Builder dryRunBuilder() {
    return Analytics.builder("dry-run").send(false).shutdownHook(false);
  }
}
