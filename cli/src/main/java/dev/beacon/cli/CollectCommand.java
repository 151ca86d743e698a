package dev.beacon.cli;

import dev.beacon.internal.WireRules;
import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.testkit.CollectorStats;
import dev.beacon.testkit.TestCertificates;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code beacon collect}: a local Segment-compatible collector for development. */
@Command(name = "collect", mixinStandardHelpOptions = true,
    description = {"Run a local Segment-compatible collector (the testkit's CollectorServer): /v1/batch, its"
        + " alias /v1/import and the single-call endpoints, the write key in Basic auth or in the body, gzip,"
        + " Segment's limits and validation; and what analytics.js in a browser uses (its one-letter paths,"
        + " /v1/b, CORS, /v1/projects/KEY/settings).",
        "Prints a summary of each accepted batch; with --out, appends every accepted message to an NDJSON file."})
final class CollectCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--port", paramLabel = "N", defaultValue = "0",
      description = "port to listen on (default: a free one, printed at start)")
  int port;

  @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "address to listen on (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--write-key", paramLabel = "KEY",
      description = "the write key clients must send (default: accept any key)")
  String writeKey;

  @Option(names = "--out", paramLabel = "FILE.ndjson", description = "append every accepted message to this file")
  Path outFile;

  @Option(names = "--duration", paramLabel = "DURATION",
      description = "stop after this long (ISO-8601, e.g. PT30S; default: until Ctrl-C)")
  Duration duration;

  @Option(names = "--quiet", description = "do not print each batch")
  boolean quiet;

  @Option(names = "--count-only",
      description = "count requests and bytes without parsing or validating bodies (for throughput"
          + " measurements; messages are neither printed nor written)")
  boolean countOnly;

  @Option(names = "--strict",
      description = "refuse (400) what Segment accepts but an SDK should not send: a message without"
          + " context.library, a timestamp without a zone (default: accept it with a warning)")
  boolean strict;

  @Option(names = "--tls",
      description = "serve HTTPS with a CA and certificate made for this run (for 127.0.0.1 and localhost, and"
          + " --host); prints the certificate's SHA-256 fingerprint")
  boolean tls;

  @Option(names = "--tls-ca-out", paramLabel = "FILE.pem",
      description = "with --tls, write this run's CA certificate (public, PEM) here for clients to trust,"
          + " e.g. curl --cacert FILE.pem")
  Path caOut;

  @Option(names = "--allow-origin", paramLabel = "ORIGIN",
      description = "let only this browser origin (e.g. http://localhost:3000) call the collector through CORS;"
          + " repeatable (default: any origin, for a page running analytics.js)")
  List<String> allowedOrigins;

  /** Counted down by Ctrl-C (the shutdown hook) or {@link #stop()}; --duration waits on it too. */
  private final CountDownLatch stop = new CountDownLatch(1);

  /** Stops a running collect as Ctrl-C does: it closes the server and prints its summary. */
  void stop() {
    stop.countDown();
  }

  @Override
  public Integer call() throws Exception {
    String[] origins = allowedOrigins == null ? new String[0] : allowedOrigins.toArray(new String[0]);
    if (origins.length > 0) {
      try {
        CollectorServer.builder().allowOrigins(origins); // checked before anything is opened
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, "--allow-origin: " + e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    BufferedWriter file = outFile == null ? null
        : Files.newBufferedWriter(outFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    Object lock = new Object();
    if (countOnly && outFile != null) {
      throw new CliException(ExitCodes.USAGE, "--count-only does not parse messages, so it cannot write them to --out");
    }
    if (caOut != null && !tls) {
      throw new CliException(ExitCodes.USAGE, "--tls-ca-out needs --tls");
    }
    TestCertificates certificates = tls ? TestCertificates.generate(tlsNames(host)) : null;
    if (caOut != null) {
      Files.writeString(caOut, certificates.caPem(), StandardCharsets.US_ASCII);
    }
    CollectorServer.Builder b = CollectorServer.builder().host(host).port(port).countOnly(countOnly).strict(strict)
        // Recording is for tests; a dev server prints and writes instead, so it keeps none.
        .maxRecordedMessages(1).listener((path, messages) -> {
      synchronized (lock) {
        if (!quiet) {
          out.println(summary(path, messages));
        }
        if (file != null) {
          write(file, messages);
        }
      }
    });
    b = writeKey != null ? b.writeKey(writeKey) : b.acceptAnyWriteKey();
    if (origins.length > 0) {
      b = b.allowOrigins(origins);
    }
    if (certificates != null) {
      b = b.tls(certificates);
    }
    CollectorServer server;
    try {
      server = b.build().start();
    } catch (RuntimeException e) {
      throw new CliException(ExitCodes.FATAL, "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    // On Ctrl-C the JVM halts as soon as its hooks return: this one waits (bounded) until the
    // command has closed the file and printed its summary.
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        stopped.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "beacon-collect-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    if (certificates != null) {
      out.println("TLS: certificate for " + String.join(", ", certificates.names())
          + ", signed by a CA made for this run (clients must trust it"
          + (caOut != null ? ": " + caOut : "; --tls-ca-out writes it") + ")");
      out.println("TLS: certificate SHA-256 fingerprint " + certificates.serverFingerprintSha256());
    }
    out.println("collecting on " + server.uri() + " (POST /v1/batch, /v1/import, /v1/track, ...); "
        + (writeKey != null ? "write key required" : "any write key accepted")
        + (outFile != null ? "; writing messages to " + outFile : "") + "; Ctrl-C to stop");
    out.flush();
    try {
      if (duration != null) {
        stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
      } else {
        stop.await();
      }
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook already ran
      }
      CollectorStats s = server.stats();
      server.close();
      synchronized (lock) {
        if (file != null) {
          file.close();
        }
      }
      if (countOnly) {
        out.printf("stopped: %d request(s), %d accepted, %.1f MB received, %d rejected%n",
            s.requests(), s.acceptedRequests(), s.bytesReceived() / 1e6, s.rejected());
      } else {
        out.printf("stopped: %d request(s), %d message(s) (%d distinct), %d duplicate(s), %d rejected%n",
            s.requests(), s.messages(), s.distinctMessageIds(), s.duplicates(), s.rejected());
        if (s.warningCount() > 0) {
          out.printf("warnings: %s (Segment accepts these; --strict refuses them)%n", s.warnings());
        }
      }
      out.flush();
      stopped.countDown();
    }
    return ExitCodes.OK;
  }

  /** The loopback names, and the --host address when it is another one. */
  private static String[] tlsNames(String host) {
    List<String> names = new java.util.ArrayList<>(TestCertificates.LOOPBACK_NAMES);
    if (!names.contains(host) && !"0.0.0.0".equals(host) && !"::".equals(host)) {
      names.add(host);
    }
    return names.toArray(new String[0]);
  }

  static String summary(String path, List<CapturedMessage> messages) {
    Map<String, Integer> types = new TreeMap<>();
    for (CapturedMessage m : messages) {
      // Event names come from the network: escaped, so that one cannot drive the terminal.
      String key = WireRules.printable("track".equals(m.type()) ? m.event() : m.type(), 200);
      types.merge(key, 1, Integer::sum);
    }
    return LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + " " + path + ": " + messages.size()
        + " message(s) " + types;
  }

  private static void write(BufferedWriter file, List<CapturedMessage> messages) {
    try {
      for (CapturedMessage m : messages) {
        file.write(dev.beacon.testkit.WireFormat.toJson(m.json()));
        file.newLine();
      }
      file.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
