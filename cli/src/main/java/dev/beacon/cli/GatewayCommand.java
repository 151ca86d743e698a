package dev.beacon.cli;

import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.gateway.Gateway;
import dev.beacon.gateway.JournalSink;
import dev.beacon.gateway.KafkaSink;
import dev.beacon.gateway.Sink;
import dev.beacon.transport.kafka.KafkaEventSink;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code beacon gateway}: a Segment-compatible ingestion endpoint that every Segment SDK can post to,
 * answering 200 only once an event is in the local journal, and forwarding the journal to any
 * Segment-compatible API, until SIGTERM or Ctrl-C.
 */
@Command(name = "gateway", mixinStandardHelpOptions = true,
    description = {"Receive Segment's tracking API from any SDK (browsers, phones, servers) and answer 200 only"
        + " once each event is durable: either in the local journal (--spool), forwarded from there to a"
        + " Segment-compatible API (--forward), or acknowledged by Kafka (--kafka-bootstrap-servers, --topic), from"
        + " where `beacon relay` delivers it. Write keys come from --keys, reloaded when the file changes.",
        "Stop with Ctrl-C or SIGTERM: it stops accepting, answers the requests in flight and forwards what it"
            + " can within --drain-timeout; the rest stays in the journal for the next start."})
final class GatewayCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8080",
      description = "address to listen on (default: ${DEFAULT-VALUE}; 0 as the port picks a free one)")
  String listen;

  @Option(names = "--keys", required = true, paramLabel = "FILE",
      description = "write keys file: {\"sources\":[{\"writeKey\":\"...\",\"name\":\"web\",\"ratePerSecond\":500}]}")
  Path keys;

  @Option(names = "--spool", paramLabel = "DIR",
      description = "the local journal's directory (the journal sink; needs --forward)")
  Path spool;

  @Option(names = "--forward", paramLabel = "URI",
      description = "base URI of the Segment-compatible API the journal is forwarded to, e.g. https://api.segment.io")
  URI forward;

  @Option(names = "--kafka-bootstrap-servers", paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "write every event to Kafka instead (the Kafka sink; needs --topic): answered 200 once Kafka"
          + " acknowledged it (acks=all)")
  String kafkaBootstrapServers;

  @Option(names = "--topic", paramLabel = "TOPIC", description = "the Kafka topic `beacon relay` reads")
  String topic;

  @Option(names = "--kafka-property", paramLabel = "NAME=VALUE",
      description = "a Kafka producer setting, e.g. security.protocol=SSL (repeatable; acks and idempotence are fixed)")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Option(names = "--kafka-ack-timeout", paramLabel = "DURATION", defaultValue = "PT10S",
      description = "how long Kafka may take to acknowledge before the client gets 503 (default: ${DEFAULT-VALUE})")
  Duration kafkaAckTimeout;

  @Option(names = "--durability", paramLabel = "MODE", defaultValue = "process-crash",
      description = "when an event is answered 200: process-crash (in the journal's mapped file: survives kill -9)"
          + " or os-crash (also synced to disk) (default: ${DEFAULT-VALUE})")
  String durability;

  @Option(names = "--forward-write-key-file", paramLabel = "FILE",
      description = "file holding the forward destination's write key (default: the SEGMENT_WRITE_KEY environment"
          + " variable)")
  Path forwardWriteKeyFile;

  @Option(names = "--allow-origin", paramLabel = "ORIGIN",
      description = "web origin allowed to call the gateway (CORS), e.g. https://shop.example.com (repeatable;"
          + " default: any)")
  Set<String> allowOrigins = new LinkedHashSet<>();

  @Option(names = "--trusted-proxy", paramLabel = "IP",
      description = "load balancer whose X-Forwarded-For gives context.ip (repeatable; default: none)")
  Set<String> trustedProxies = new LinkedHashSet<>();

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "serve HTTPS with this certificate chain (PEM: the server certificate, then intermediates)")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE",
      description = "the private key of --tls-cert (unencrypted PKCS#8 PEM: BEGIN PRIVATE KEY)")
  Path tlsKey;

  @Option(names = "--max-connections", paramLabel = "N", defaultValue = "10000",
      description = "most open connections (default: ${DEFAULT-VALUE})")
  int maxConnections;

  @Option(names = "--max-pending-mb", paramLabel = "N", defaultValue = "64",
      description = "most request-body megabytes held at once; past it, clients are not read (default: ${DEFAULT-VALUE})")
  long maxPendingMb;

  @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "PT30S",
      description = "at stop, how long to answer requests in flight and forward the journal (default: ${DEFAULT-VALUE})")
  Duration drainTimeout;

  @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "PT10S",
      description = "how often to print a progress line on standard error (default: ${DEFAULT-VALUE})")
  Duration progressInterval;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new CliException(ExitCodes.USAGE, "--progress-interval must be positive but was " + progressInterval);
    }
    if (drainTimeout.isNegative()) {
      throw new CliException(ExitCodes.USAGE, "--drain-timeout must be zero or positive but was " + drainTimeout);
    }
    SpoolDurability mode = switch (durability.toLowerCase(Locale.ROOT)) {
      case "process-crash" -> SpoolDurability.PROCESS_CRASH;
      case "os-crash" -> SpoolDurability.OS_CRASH;
      default -> throw new CliException(ExitCodes.USAGE, "--durability must be process-crash or os-crash but was "
          + durability);
    };
    int colon = listen.lastIndexOf(':');
    String host;
    int port;
    try {
      host = listen.substring(0, colon).replace("[", "").replace("]", "");
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (RuntimeException e) {
      throw new CliException(ExitCodes.USAGE, "--listen takes HOST:PORT, e.g. 127.0.0.1:8080, but was " + listen);
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CliException(ExitCodes.USAGE, "--tls-cert and --tls-key go together: give both or neither");
    }
    boolean kafka = kafkaBootstrapServers != null || topic != null;
    boolean journal = spool != null || forward != null;
    if (kafka == journal) {
      throw new CliException(ExitCodes.USAGE, "choose one sink: --spool DIR --forward URI (the local journal) or"
          + " --kafka-bootstrap-servers HOST:PORT --topic TOPIC (Kafka)");
    }
    Sink sink = kafka ? openKafka() : openJournal(mode);
    Gateway gateway;
    try {
      Gateway.Builder b = Gateway.builder(keys, sink).listen(host, port).maxConnections(maxConnections)
          .maxPendingBytes(maxPendingMb * 1024 * 1024);
      if (!allowOrigins.isEmpty()) {
        b.allowOrigins(allowOrigins);
      }
      b.trustedProxies(trustedProxies);
      if (tlsCert != null) {
        b.tls(tlsCert, tlsKey);
      }
      gateway = b.build().start();
    } catch (IllegalArgumentException e) {
      sink.close(Duration.ZERO);
      throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
    } catch (RuntimeException e) {
      sink.close(Duration.ZERO);
      throw new CliException(ExitCodes.FATAL, e.getMessage(), e);
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    // SIGINT/SIGTERM: let the main thread stop the gateway and print the summary, then let the JVM go.
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        done.await(drainTimeout.toSeconds() + 40, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "beacon-gateway-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    // SIGTERM and SIGINT are handled here, not by the JVM's shutdown, so that a graceful stop ends
    // with this command's own exit code (0 when everything settled) instead of 143 or 130.
    sun.misc.SignalHandler onSignal = sig -> stop.countDown();
    sun.misc.SignalHandler previousTerm = handle("TERM", onSignal);
    sun.misc.SignalHandler previousInt = handle("INT", onSignal);
    long start = System.nanoTime();
    boolean clean;
    try {
      err.printf("gateway: listening on %s; %s%n", gateway.uri(), kafka ? "writing to Kafka topic " + topic + " on "
          + kafkaBootstrapServers : "journal " + spool + " (" + durability + "); forwarding to " + forward.getScheme()
          + "://" + forward.getAuthority());
      err.flush();
      long lastAccepted = 0;
      long lastProgress = System.nanoTime();
      while (!stop.await(progressInterval.toMillis(), TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        long accepted = gateway.acceptedEvents();
        err.printf("gateway: accepted %d events (%.0f/s), refused %d requests, %s%n", accepted,
            (accepted - lastAccepted) / ((now - lastProgress) / 1e9), gateway.refusedRequests(), forwarded(sink));
        err.flush();
        lastAccepted = accepted;
        lastProgress = now;
      }
      err.println("gateway: stopping; answering requests in flight and forwarding the journal (up to "
          + drainTimeout + ")");
      err.flush();
    } finally {
      clean = gateway.close(drainTimeout);
    }
    try {
      double secs = (System.nanoTime() - start) / 1e9;
      out.printf("gateway: accepted %d events, refused %d requests in %.1f s; %s%n", gateway.acceptedEvents(),
          gateway.refusedRequests(), secs, forwarded(sink));
      if (!clean) {
        err.println("beacon: not everything settled within --drain-timeout " + drainTimeout + (kafka
            ? ": requests Kafka had not acknowledged were answered 503, and their clients send them again"
            : ": events not yet forwarded stay in the journal " + spool + " and are forwarded when the gateway starts"
                + " on it again"));
        return ExitCodes.NOT_DELIVERED;
      }
      return ExitCodes.OK;
    } finally {
      out.flush();
      err.flush();
      done.countDown();
      restore("TERM", previousTerm);
      restore("INT", previousInt);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it returns now that done is counted down.
      }
    }
  }

  /** Handles a signal; null when the JVM does not let us (e.g. -Xrs): the shutdown hook then stops the gateway. */
  private static sun.misc.SignalHandler handle(String name, sun.misc.SignalHandler handler) {
    try {
      return sun.misc.Signal.handle(new sun.misc.Signal(name), handler);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void restore(String name, sun.misc.SignalHandler previous) {
    if (previous != null) {
      handle(name, previous);
    }
  }

  private static String forwarded(Sink sink) {
    if (sink instanceof JournalSink journal) {
      Stats s = journal.stats();
      return "forwarded " + s.delivered() + ", failed " + s.failed() + ", pending " + s.pending();
    }
    return "sink " + sink.state();
  }

  private Sink openJournal(SpoolDurability mode) {
    if (spool == null || forward == null) {
      throw new CliException(ExitCodes.USAGE, "the local journal needs both --spool DIR and --forward URI");
    }
    if (forward.getScheme() == null || forward.getHost() == null) {
      throw new CliException(ExitCodes.USAGE, "--forward takes a URI like https://api.segment.io but was " + forward);
    }
    String key = forwardKey();
    try {
      return JournalSink.open(spool, forward, key, mode);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CliException(ExitCodes.FATAL, "cannot open the journal in " + spool + ": " + e.getMessage(), e);
    }
  }

  private Sink openKafka() {
    if (kafkaBootstrapServers == null || topic == null) {
      throw new CliException(ExitCodes.USAGE, "the Kafka sink needs both --kafka-bootstrap-servers and --topic");
    }
    try {
      KafkaEventSink.Builder b = KafkaEventSink.builder().bootstrapServers(kafkaBootstrapServers).topic(topic)
          .ackTimeout(kafkaAckTimeout);
      kafkaProperties.forEach(b::producerProperty);
      return new KafkaSink(b.build());
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CliException(ExitCodes.FATAL, "cannot start the Kafka producer: " + e.getMessage(), e);
    }
  }

  /** The forward destination's write key: from --forward-write-key-file, else SEGMENT_WRITE_KEY. */
  private String forwardKey() {
    if (forwardWriteKeyFile != null) {
      return ClientOptions.readKeyFile(forwardWriteKeyFile, "forward write key file");
    }
    String env = System.getenv("SEGMENT_WRITE_KEY");
    if (env == null || env.isBlank()) {
      throw new CliException(ExitCodes.USAGE, "no forward write key: set SEGMENT_WRITE_KEY or pass"
          + " --forward-write-key-file FILE");
    }
    return env.strip();
  }
}
