package dev.beacon.cli;

import dev.beacon.relay.kafka.KafkaRelay;
import dev.beacon.relay.kafka.RelayStats;
import dev.beacon.transport.http.HttpTransport;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code beacon relay}: drains a Kafka topic of Segment messages to a Segment-compatible API as a
 * member of a consumer group, until interrupted (or idle, with {@code --exit-when-idle}).
 */
@Command(name = "relay", mixinStandardHelpOptions = true,
    description = {"Drain a Kafka topic of Segment messages (one message's JSON per record, as Beacon's"
        + " Kafka transport writes them) to any Segment-compatible API, as a member of a consumer group.",
        "Run several with the same --group to share the partitions. Offsets are committed only once their"
            + " records are delivered or written to the dead-letter topic; stop with Ctrl-C or SIGTERM."})
final class RelayCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,...]",
      description = "Kafka brokers to bootstrap from")
  String bootstrapServers;

  @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "topic to drain")
  String topic;

  @Option(names = "--group", required = true, paramLabel = "ID", description = "consumer group id")
  String group;

  @Option(names = "--dead-letter-topic", paramLabel = "TOPIC",
      description = "where finally failed and invalid records go (default: <topic>.dlq)")
  String deadLetterTopic;

  @Option(names = "--consumer-property", paramLabel = "NAME=VALUE",
      description = "any Kafka consumer property, e.g. security.protocol=SSL (repeatable)")
  Map<String, String> consumerProperties = new LinkedHashMap<>();

  @Option(names = "--producer-property", paramLabel = "NAME=VALUE",
      description = "any property of the dead-letter producer (repeatable)")
  Map<String, String> producerProperties = new LinkedHashMap<>();

  @Option(names = "--max-buffered-mb", paramLabel = "N", defaultValue = "32",
      description = "pause the partitions while more than N MB of records are held (default: ${DEFAULT-VALUE})")
  long maxBufferedMb;

  @Option(names = "--linger", paramLabel = "DURATION", defaultValue = "PT0.5S",
      description = "how long a batch that is not full waits for more records (default: ${DEFAULT-VALUE})")
  Duration linger;

  @Option(names = "--commit-interval", paramLabel = "DURATION", defaultValue = "PT1S",
      description = "how often settled offsets are committed; after a crash the group sends again at most what was"
          + " held plus what settled since the last commit (default: ${DEFAULT-VALUE})")
  Duration commitInterval;

  @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "PT30S",
      description = "at stop, how long to deliver what is held before leaving the group (default: ${DEFAULT-VALUE})")
  Duration drainTimeout;

  @Option(names = "--exit-when-idle", paramLabel = "DURATION",
      description = "stop once every assigned partition is read to its end and nothing is held for DURATION")
  Duration exitWhenIdle;

  @Option(names = "--progress-interval", paramLabel = "DURATION", defaultValue = "PT10S",
      description = "how often to print a progress line on standard error (default: ${DEFAULT-VALUE})")
  Duration progressInterval;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (drainTimeout.isNegative()) {
      throw new CliException(ExitCodes.USAGE, "--drain-timeout must be zero or positive but was " + drainTimeout);
    }
    if (progressInterval.isNegative() || progressInterval.isZero()) {
      throw new CliException(ExitCodes.USAGE, "--progress-interval must be positive but was " + progressInterval);
    }
    if (exitWhenIdle != null && (exitWhenIdle.isNegative() || exitWhenIdle.isZero())) {
      throw new CliException(ExitCodes.USAGE, "--exit-when-idle must be positive but was " + exitWhenIdle);
    }
    String key = client.writeKey();
    KafkaRelay relay = build(key);
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    // SIGINT/SIGTERM: let the main thread drain, commit and print the summary, then let the JVM go.
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        done.await(drainTimeout.toSeconds() + 40, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "beacon-relay-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    long start = System.nanoTime();
    DeliveryWindow window = new DeliveryWindow(start);
    boolean settled;
    try {
      relay.start();
      err.printf("relay: reading %s as group %s from %s; dead letters to %s%n", topic, group, bootstrapServers,
          relay.deadLetterTopic());
      long idleSince = -1;
      long nextProgress = System.nanoTime() + progressInterval.toNanos();
      long lastDelivered = 0;
      long lastProgress = System.nanoTime();
      boolean toldWaiting = false;
      while (!stop.await(100, TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        if (relay.state() == KafkaRelay.State.FAILED) {
          break;
        }
        RelayStats s = relay.stats();
        window.sample(now, s.delivered());
        if (now - nextProgress >= 0) {
          double secs = (now - lastProgress) / 1e9;
          String progress = "relay: " + line(s) + String.format(", %.0f delivered/s", (s.delivered() - lastDelivered)
              / secs);
          if (s.assignedPartitions() > 0) {
            toldWaiting = false;
          } else {
            // A restarted relay otherwise prints "consumed 0 ... lag ?" for as long as the group
            // keeps its partitions for the member it replaced.
            progress += ", waiting for the group to assign partitions";
            if (!toldWaiting) {
              toldWaiting = true;
              progress += " (a relay stopped without leaving the group, e.g. killed, keeps them until its"
                  + " session.timeout.ms passes: 45 s by default; see docs/kafka.md for a relay restarted in place)";
            }
          }
          err.println(progress);
          lastDelivered = s.delivered();
          lastProgress = now;
          nextProgress = now + progressInterval.toNanos();
        }
        if (exitWhenIdle != null) {
          boolean idle = s.assignedPartitions() > 0 && s.lag() == 0 && s.bufferedRecords() == 0;
          if (!idle) {
            idleSince = -1;
          } else if (idleSince < 0) {
            idleSince = now;
          } else if (now - idleSince >= exitWhenIdle.toNanos()) {
            break;
          }
        }
      }
      if (relay.state() != KafkaRelay.State.FAILED) {
        err.println("relay: stopping; delivering what is held (up to " + drainTimeout + ")");
      }
    } finally {
      settled = relay.close(drainTimeout);
    }
    try {
      RelayStats s = relay.stats();
      long end = System.nanoTime();
      window.sample(end, s.delivered());
      double secs = (end - start) / 1e9;
      double delivering = window.activeNanos() / 1e9;
      out.println("relay: " + line(s));
      out.printf("requests %d (%d retries), batches %d, commits %d%n", s.requests(), s.retries(), s.batches(),
          s.commits());
      out.printf("time %.1f s (%.1f s delivering), %.0f events/s delivered%n", secs, delivering,
          delivering > 0 ? s.delivered() / delivering : 0.0);
      if (relay.state() == KafkaRelay.State.FAILED) {
        Throwable cause = relay.failure().orElse(null);
        err.println("beacon: the relay stopped on a fatal error: " + cause + "; offsets past the records not"
            + " settled are not committed");
        return ExitCodes.RELAY_FAILED;
      }
      if (!settled) {
        err.println("beacon: some records were not settled by --drain-timeout " + drainTimeout
            + "; their offsets are not committed, so the group reads them again");
        return ExitCodes.NOT_DELIVERED;
      }
      if (s.deadLettered() > 0) {
        err.println("beacon: " + s.deadLettered() + " record(s) written to the dead-letter topic "
            + relay.deadLetterTopic() + " (" + s.invalid() + " invalid); their headers say why");
        return ExitCodes.NOT_DELIVERED;
      }
      return ExitCodes.OK;
    } finally {
      out.flush();
      err.flush();
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running: it returns now that done is counted down.
      }
    }
  }

  /**
   * The time during which the relay delivered: from the last sample before the first delivery to
   * the sample of the last one. Waiting for an assignment, for the first records, or idle before
   * {@code --exit-when-idle} ends is left out, so the summary's rate is the delivery rate.
   */
  static final class DeliveryWindow {
    private long previousSample;
    private long delivered;
    private long first = -1;
    private long last = -1;

    DeliveryWindow(long startNanos) {
      this.previousSample = startNanos;
    }

    void sample(long nowNanos, long deliveredSoFar) {
      if (deliveredSoFar > delivered) {
        if (first < 0) {
          first = previousSample;
        }
        last = nowNanos;
        delivered = deliveredSoFar;
      }
      previousSample = nowNanos;
    }

    long activeNanos() {
      return first < 0 ? 0 : last - first;
    }
  }

  private static String line(RelayStats s) {
    return "consumed " + s.consumed() + ", delivered " + s.delivered() + ", retries " + s.retries()
        + ", dead-lettered " + s.deadLettered() + " (" + s.invalid() + " invalid), held " + s.bufferedRecords()
        + ", lag " + (s.lag() < 0 ? "?" : Long.toString(s.lag()))
        + (s.pausedPartitions() > 0 ? ", paused " + s.pausedPartitions() + " partition(s)" : "");
  }

  private KafkaRelay build(String key) {
    HttpTransport transport = client.transport(key, null);
    try {
      KafkaRelay.Builder b = KafkaRelay.builder().bootstrapServers(bootstrapServers).topic(topic).groupId(group)
          .transport(transport).linger(linger).commitInterval(commitInterval).maxBufferedBytes(maxBufferedMb << 20);
      if (deadLetterTopic != null) {
        b.deadLetterTopic(deadLetterTopic);
      }
      consumerProperties.forEach(b::consumerProperty);
      producerProperties.forEach(b::producerProperty);
      return b.build();
    } catch (IllegalArgumentException e) {
      transport.close();
      throw new CliException(ExitCodes.USAGE, e.getMessage(), e);
    }
  }
}
