package dev.beacon.engine;

import static dev.beacon.engine.Clients.builder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Analytics;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.spi.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20, item 12: a client whose threads cannot all be made, or whose shutdown hook cannot be
 * registered, is not started and leaves nothing open (transport, scheduler, threads).
 */
class ThreadFactoryAndHookFailureTest {

  /** A transport that records whether it was closed. */
  private static final class ClosableTransport implements Transport {
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public CompletableFuture<SendResult> send(Batch batch) {
      return CompletableFuture.completedFuture(SendResult.delivered(200));
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  /** Makes {@code good} threads (named for the test), then fails as the factory does. */
  private static ThreadFactory failingAfter(int good, boolean returnNull, List<Thread> made) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      if (n.incrementAndGet() > good) {
        if (returnNull) {
          return null;
        }
        throw new IllegalStateException("no more threads for this test");
      }
      Thread t = new Thread(r, "factory-test-" + n.get());
      t.setDaemon(true);
      made.add(t);
      return t;
    };
  }

  @Test
  void aFactoryReturningNullFailsBuildAndClosesTheTransportItMade() throws Exception {
    TestProviders.CREATED.remove("alpha");
    List<Thread> made = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> Analytics.builder("test-write-key").transportName("alpha").shutdownHook(false)
        .threadFactory(failingAfter(0, true, made)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("threadFactory returned null");
    assertThat(TestProviders.CREATED.get("alpha").isClosed()).as("the transport the build made").isTrue();
    assertThat(made).isEmpty();
  }

  @Test
  void aTransportTheUserGaveStaysOpenAfterAFailedBuildSoACorrectedBuildCanUseIt() throws Exception {
    ClosableTransport transport = new ClosableTransport();
    List<Thread> made = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> builder(transport).threadFactory(failingAfter(0, true, made)).build())
        .isInstanceOf(IllegalStateException.class);
    assertThat(transport.closed).isFalse();
  }

  @Test
  void aFactoryThatCannotMakeTheSendersThreadFailsBuildInsteadOfStrandingMessages() throws Exception {
    // One thread (the consumer's) is made; the scheduler's, which sends, is not. Before the fix
    // build() succeeded and every accepted message waited forever for a thread that never came.
    TestProviders.CREATED.remove("alpha");
    List<Thread> made = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> Analytics.builder("test-write-key").transportName("alpha").shutdownHook(false)
        .threadFactory(failingAfter(1, false, made)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no more threads for this test");
    assertThat(TestProviders.CREATED.get("alpha").isClosed()).as("the transport the build made").isTrue();
    for (Thread t : made) {
      t.join(10_000);
      assertThat(t.isAlive()).as("%s was made but must never run", t.getName()).isFalse();
    }
  }

  @Test
  void aFactoryThatCannotMakeTheOsCrashSyncThreadFailsBuildInsteadOfLeavingCallsWithoutSyncs() throws Exception {
    // Three threads (spool reader, consumer, scheduler) are made; the fourth, which runs the syncs
    // OS_CRASH calls wait for, is not: the build fails and every thread it made ends.
    TestProviders.CREATED.remove("alpha");
    List<Thread> made = new java.util.concurrent.CopyOnWriteArrayList<>();
    assertThatThrownBy(() -> Analytics.builder("test-write-key").transportName("alpha").shutdownHook(false)
        .spool(new MemorySpool(new MemorySpool.Disk(), 1L << 20)).spoolDurability(dev.beacon.SpoolDurability.OS_CRASH)
        .threadFactory(failingAfter(3, false, made)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no more threads for this test");
    assertThat(made).hasSize(3);
    assertThat(TestProviders.CREATED.get("alpha").isClosed()).as("the transport the build made").isTrue();
    for (Thread t : made) {
      t.join(10_000);
      assertThat(t.isAlive()).as("%s must end after the failed build", t.getName()).isFalse();
    }
  }

  @Test
  void aClientBuiltWhileTheJvmShutsDownIsRefusedAndStartsNothing(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("out.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        BuiltDuringShutdownMain.class.getName(), out.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("child JVM exited").isTrue();
    List<String> lines = Files.readAllLines(out);
    // Before the fix the engine was started first and left running: its transport made and never
    // closed, its threads alive while the JVM exits. Now nothing is started, so there is nothing to
    // close: no transport is made at all.
    assertThat(lines).as(Files.readString(dir.resolve("child.log")))
        .containsExactly("refused: Beacon could not register its shutdown hook (Shutdown in progress); the client"
            + " was not started. Build it with shutdownHook(false) and close it yourself, or build it before"
            + " the JVM begins to shut down");
  }
}
