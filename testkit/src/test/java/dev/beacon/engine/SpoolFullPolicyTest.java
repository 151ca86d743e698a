package dev.beacon.engine;

import static dev.beacon.engine.Clients.WAIT;
import static dev.beacon.engine.Clients.assertConserved;
import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Analytics;
import dev.beacon.DropReason;
import dev.beacon.FlushResult;
import dev.beacon.QueueFullPolicy;
import dev.beacon.SpoolDurability;
import dev.beacon.Stats;
import dev.beacon.testkit.CapturingTransport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link QueueFullPolicy} governs a full spool as it governs a full queue: {@code block} waits for
 * an acknowledgement to make room (outside the admission gate), the drop policy refuses at once,
 * and every refusal's WARN names {@code maxSpoolBytes}.
 */
class SpoolFullPolicyTest {
  private static final long SPOOL = 1 << 20;
  private static final String BLOB = "x".repeat(8000);
  private final MemorySpool.Disk disk = new MemorySpool.Disk();

  private Analytics client(GatedTransport t, SpoolDurability durability, QueueFullPolicy policy) {
    return builder(t).spool(new MemorySpool(disk, SPOOL)).maxSpoolBytes(SPOOL).spoolDurability(durability)
        .queueFullPolicy(policy).flushAt(20).build();
  }

  private static boolean track(Analytics a, int i) {
    return a.track("u", "Big", Map.of("i", i, "blob", BLOB));
  }

  /** True while {@code t} sleeps in the journal's wait for room (its park blocker is the Journal). */
  private static boolean waitingForSpoolRoom(Thread t) {
    Object blocker = LockSupport.getBlocker(t);
    return blocker != null && blocker.getClass().getSimpleName().equals("Journal");
  }

  @ParameterizedTest
  @EnumSource(value = SpoolDurability.class, names = {"PROCESS_CRASH", "OS_CRASH", "BUFFERED"})
  void blockWaitsOnAFullSpoolUntilAcknowledgementsMakeRoom(SpoolDurability durability) throws Exception {
    GatedTransport stuck = new GatedTransport(new CapturingTransport());
    Analytics a = client(stuck, durability, QueueFullPolicy.block(Duration.ofMinutes(10)));
    int total = 400; // ~3 MB of messages through a 1 MB spool
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    Thread producer = new Thread(() -> {
      for (int i = 0; i < total; i++) {
        (track(a, i) ? accepted : refused).incrementAndGet();
      }
    }, "spool-full-producer");
    producer.start();
    // Nothing is delivered until the gate opens: the spool fills and the producer waits for room.
    awaitCondition(() -> waitingForSpoolRoom(producer) || !producer.isAlive());
    assertThat(producer.isAlive()).as("the producer waits on the full spool instead of being refused").isTrue();
    assertThat(refused.get()).isZero();
    assertThat(accepted.get()).isBetween(60, 140);
    assertThat(a.stats().dropped(DropReason.SPOOL_FULL)).isZero();

    stuck.open(); // deliveries are acknowledged, room is freed, the waiting call goes on
    producer.join(WAIT.toMillis());
    assertThat(producer.isAlive()).isFalse();
    assertThat(refused.get()).isZero();
    assertThat(accepted.get()).isEqualTo(total);
    FlushResult r = a.flush(WAIT);
    assertThat(r.isSuccess()).isTrue();
    Stats s = assertConserved(a);
    assertThat(s.delivered()).isEqualTo(total);
    assertThat(s.dropped(DropReason.SPOOL_FULL)).isZero();
    a.close(WAIT);
  }

  @ParameterizedTest
  @EnumSource(value = SpoolDurability.class, names = {"PROCESS_CRASH", "OS_CRASH"})
  void blockRefusesAsSpoolFullWhenNoRoomFreesUpWithinItsTimeout(SpoolDurability durability) {
    GatedTransport stuck = new GatedTransport(new CapturingTransport());
    Duration timeout = Duration.ofMillis(200);
    Analytics a = client(stuck, durability, QueueFullPolicy.block(timeout));
    int accepted = 0;
    long refusedAfterNanos = -1;
    for (int i = 0; i < 400 && refusedAfterNanos < 0; i++) {
      long start = System.nanoTime();
      if (track(a, i)) {
        accepted++;
      } else {
        refusedAfterNanos = System.nanoTime() - start;
      }
    }
    assertThat(accepted).isBetween(60, 140);
    assertThat(refusedAfterNanos).as("refused only once its block timeout passed")
        .isGreaterThanOrEqualTo(timeout.toNanos());
    assertThat(a.stats().dropped(DropReason.SPOOL_FULL)).isEqualTo(1);
    stuck.open();
    a.close(WAIT);
  }

  @ParameterizedTest
  @EnumSource(value = SpoolDurability.class, names = {"PROCESS_CRASH", "OS_CRASH", "BUFFERED"})
  void dropNewestRefusesAtOnceOnAFullSpool(SpoolDurability durability) throws Exception {
    GatedTransport stuck = new GatedTransport(new CapturingTransport());
    Analytics a = client(stuck, durability, QueueFullPolicy.dropNewest());
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 400; i++) {
        track(a, i);
      }
    }, "spool-full-dropper");
    producer.start();
    // With the gate closed no room ever frees up: the producer ends only because it never waits.
    producer.join(WAIT.toMillis());
    assertThat(producer.isAlive()).isFalse();
    Stats s = a.stats();
    assertThat(s.accepted()).isBetween(60L, 140L);
    assertThat(s.dropped(DropReason.SPOOL_FULL)).isEqualTo(400 - s.accepted());
    stuck.open();
    a.close(WAIT);
  }

  @ParameterizedTest
  @EnumSource(value = SpoolDurability.class, names = {"PROCESS_CRASH", "OS_CRASH"})
  void closeIsNotHeldUpByACallerWaitingOnAFullSpool(SpoolDurability durability) throws Exception {
    GatedTransport stuck = new GatedTransport(new CapturingTransport());
    Analytics a = client(stuck, durability, QueueFullPolicy.block(Duration.ofMinutes(10)));
    AtomicInteger refused = new AtomicInteger();
    Thread producer = new Thread(() -> {
      for (int i = 0; i < 400 && refused.get() == 0; i++) {
        if (!track(a, i)) {
          refused.incrementAndGet();
        }
      }
    }, "spool-full-waiter");
    producer.start();
    awaitCondition(() -> waitingForSpoolRoom(producer) || !producer.isAlive());
    assertThat(producer.isAlive()).isTrue();
    // The waiter is outside the gate: close does not wait for its ten minutes, and it is refused.
    a.close(Duration.ofMillis(100));
    producer.join(WAIT.toMillis());
    assertThat(producer.isAlive()).as("the waiting caller was woken by close").isFalse();
    assertThat(refused.get()).isEqualTo(1);
    Stats s = a.stats();
    assertThat(s.dropped(DropReason.CLOSED)).isEqualTo(1);
    assertThat(s.dropped(DropReason.SPOOL_FULL)).isZero();
    stuck.open();
  }

  @ParameterizedTest
  @EnumSource(value = SpoolDurability.class, names = {"PROCESS_CRASH", "BUFFERED"})
  void theRefusalWarningNamesMaxSpoolBytesAndItsValue(SpoolDurability durability) {
    GatedTransport stuck = new GatedTransport(new CapturingTransport());
    Analytics a = client(stuck, durability, QueueFullPolicy.dropNewest());
    String log;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    synchronized (System.class) {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      try {
        for (int i = 0; i < 400 && a.stats().dropped(DropReason.SPOOL_FULL) == 0; i++) {
          track(a, i);
        }
      } finally {
        System.setErr(err);
      }
      log = captured.toString(StandardCharsets.UTF_8);
    }
    assertThat(a.stats().dropped(DropReason.SPOOL_FULL)).isEqualTo(1);
    assertThat(log).contains("SPOOL_FULL").contains("maxSpoolBytes=" + SPOOL)
        .doesNotContain("maxQueueSize").doesNotContain("test-write-key");
    stuck.open();
    a.close(WAIT);
  }

  private static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime() - deadline).as("condition not met within %s", WAIT).isNegative();
      Thread.sleep(5);
    }
  }
}
