package dev.beacon.cli;

import dev.beacon.Analytics;
import dev.beacon.Region;
import dev.beacon.transport.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where and how to send: shared by the commands that send. */
final class ClientOptions {
  @Option(names = "--endpoint", paramLabel = "URI",
      description = "API base URI (default: the region's, https://api.segment.io)")
  URI endpoint;

  @Option(names = "--region", paramLabel = "US|EU", description = "Segment region: ${COMPLETION-CANDIDATES}")
  Region region;

  @Option(names = "--write-key-file", paramLabel = "FILE",
      description = "file holding the write key (default: the SEGMENT_WRITE_KEY environment variable;"
          + " never pass the key itself on the command line, where ps shows it)")
  Path writeKeyFile;

  @Option(names = "--rate", paramLabel = "N",
      description = "at most N requests per second (default: no cap; Segment allows about 1,000/s per workspace)")
  Double rate;

  @Option(names = "--gzip", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "gzip request bodies (default: on)")
  boolean gzip;

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
    if (writeKeyFile != null) {
      try {
        String key = Files.readString(writeKeyFile, StandardCharsets.UTF_8).strip();
        if (key.isEmpty()) {
          throw new CliException(ExitCodes.USAGE, "the write key file " + writeKeyFile + " is empty");
        }
        return key;
      } catch (IOException e) {
        throw new CliException(ExitCodes.FATAL, "cannot read the write key file " + writeKeyFile + ": "
            + e.getMessage(), e);
      }
    }
    String env = System.getenv("SEGMENT_WRITE_KEY");
    if (env == null || env.isBlank()) {
      throw new CliException(ExitCodes.USAGE,
          "no write key: set SEGMENT_WRITE_KEY or pass --write-key-file FILE");
    }
    return env.strip();
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

  /** A client on the HTTP transport configured by these options. */
  Analytics.Builder builder(String writeKey) {
    URI uri = endpointOrDefault();
    HttpTransport.Builder http = HttpTransport.builder(writeKey).endpoint(uri).gzip(gzip).debug(debug)
        .allowInsecureHttp(allowInsecureHttp);
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
      }
      throw new CliException(ExitCodes.USAGE, msg, e);
    }
    return Analytics.builder(writeKey).endpoint(uri).transport(transport).debug(debug).shutdownHook(false);
  }

  /** A client that validates and batches but sends nothing (for --dry-run). */
  Analytics.Builder dryRunBuilder() {
    return Analytics.builder("dry-run").send(false).shutdownHook(false);
  }
}
