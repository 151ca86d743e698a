package dev.beacon.transport.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.transport.kafka.KafkaEventSink.Event;
import dev.beacon.transport.kafka.testing.Await;
import dev.beacon.transport.kafka.testing.KafkaBroker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Its own broker, since it stops it: a gateway's sink under load while the broker goes away and
 * comes back on the same port. No call succeeds for an event Kafka did not acknowledge; every
 * acknowledged event is in the topic afterwards.
 */
class KafkaEventSinkBrokerRestartTest {
  @RegisterExtension
  static final KafkaBroker BROKER = KafkaBroker.withoutTopicAutoCreation();
  private static final Duration GUARD = Duration.ofSeconds(120);
  private static final String TOPIC = "gateway-events";

  /** Which part of the run a call was made in. */
  private enum Phase { BROKER_UP, BROKER_DOWN, PAUSED, BROKER_BACK, DONE }

  /** Outcomes per phase in which the call was made. */
  private static final class Outcomes {
    final AtomicInteger made = new AtomicInteger();
    final AtomicInteger succeeded = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final List<Throwable> otherFailures = new CopyOnWriteArrayList<>();

    int completed() {
      return succeeded.get() + failed.get();
    }

    @Override
    public String toString() {
      return "made " + made + ", succeeded " + succeeded + ", failed " + failed;
    }
  }

  @Test
  void brokerStoppedUnderLoadFailsEveryCallThenSuccessesResumeAndNothingAcknowledgedIsMissing() throws Exception {
    BROKER.createTopic(TOPIC, 2);
    Map<Phase, Outcomes> outcomes = new ConcurrentHashMap<>();
    for (Phase p : Phase.values()) {
      outcomes.put(p, new Outcomes());
    }
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger ids = new AtomicInteger();
    Semaphore inFlight = new Semaphore(16);
    final Phase[] phase = {Phase.BROKER_UP};
    Object phaseLock = new Object();

    try (KafkaEventSink sink = KafkaEventSink.builder().bootstrapServers(BROKER.bootstrapServers()).topic(TOPIC)
        .ackTimeout(Duration.ofSeconds(3)).producerProperty("linger.ms", 5).build()) {
      Thread load = new Thread(() -> {
        int seq = 0;
        while (true) {
          try {
            inFlight.acquire();
          } catch (InterruptedException e) {
            return;
          }
          Phase p;
          synchronized (phaseLock) {
            while (phase[0] == Phase.PAUSED) {
              try {
                phaseLock.wait();
              } catch (InterruptedException e) {
                return;
              }
            }
            p = phase[0];
          }
          if (p == Phase.DONE) {
            inFlight.release();
            return;
          }
          List<Event> events = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            String user = "user-" + (i % 5);
            String id = "g-" + ids.incrementAndGet();
            events.add(new Event(KafkaEventSinkTest.json("track", user, seq++, id).getBytes(StandardCharsets.UTF_8),
                "track", user, "web"));
          }
          Outcomes o = outcomes.get(p);
          o.made.incrementAndGet();
          sink.append(events).whenComplete((ok, error) -> {
            if (error == null) {
              for (Event e : events) {
                acknowledged.add(id(e.json()));
              }
              o.succeeded.incrementAndGet();
            } else {
              if (!(error instanceof KafkaEventSink.Unavailable)) {
                o.otherFailures.add(error);
              }
              o.failed.incrementAndGet();
            }
            inFlight.release();
          });
        }
      }, "sink-load");
      load.setDaemon(true);
      load.start();
      try {
        Await.until(GUARD, () -> outcomes.get(Phase.BROKER_UP).succeeded.get() >= 30 && sink.ready(),
            () -> "before the stop: " + outcomes + "; " + sink.state());

        BROKER.stopBroker();
        setPhase(phase, phaseLock, Phase.BROKER_DOWN);
        Outcomes down = outcomes.get(Phase.BROKER_DOWN);
        Await.until(GUARD, () -> !sink.ready() && down.completed() >= 20,
            () -> "broker down: " + down + "; " + sink.state());
        setPhase(phase, phaseLock, Phase.PAUSED);
        // Every call made while the broker was down ends before it comes back: none may succeed.
        Await.until(GUARD, () -> down.completed() == down.made.get(), () -> "broker down: " + down);
        assertThat(down.succeeded.get()).as("calls that succeeded while the broker was down").isZero();
        assertThat(down.otherFailures).isEmpty();
        assertThat(sink.ready()).isFalse();
        assertThat(sink.state()).startsWith("unavailable");
        // Dozens of calls timed out: the reason names Kafka's last error once, it does not nest.
        assertThat(sink.state()).hasSizeLessThan(1_500);

        setPhase(phase, phaseLock, Phase.BROKER_BACK);
        BROKER.startBroker();
        Outcomes back = outcomes.get(Phase.BROKER_BACK);
        Await.until(GUARD, () -> back.succeeded.get() >= 30 && sink.ready(),
            () -> "broker back: " + back + "; " + sink.state());
      } finally {
        setPhase(phase, phaseLock, Phase.DONE);
        load.join(GUARD.toMillis());
      }
      assertThat(inFlight.tryAcquire(16, GUARD.toSeconds(), TimeUnit.SECONDS)).as("every call completed").isTrue();
    }

    Set<String> inTopic = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : BROKER.readAll(TOPIC)) {
      inTopic.add(id(r.value()));
    }
    Set<String> missing = new HashSet<>(acknowledged);
    missing.removeAll(inTopic);
    assertThat(missing).as("acknowledged events missing from the topic (of %d acknowledged)", acknowledged.size())
        .isEmpty();
    System.out.println("KafkaEventSinkBrokerRestartTest: " + outcomes + "; " + acknowledged.size()
        + " events acknowledged, " + inTopic.size() + " distinct in the topic");
  }

  private static void setPhase(Phase[] phase, Object lock, Phase p) {
    synchronized (lock) {
      phase[0] = p;
      lock.notifyAll();
    }
  }

  private static String id(byte[] json) {
    String s = new String(json, StandardCharsets.UTF_8);
    int at = s.indexOf("\"messageId\":\"") + 13;
    return s.substring(at, s.indexOf('"', at));
  }
}
