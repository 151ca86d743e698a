package dev.beacon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.SpoolDurability;
import dev.beacon.spi.Spool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility kit every {@link Spool} passes: extend it, say how to open the spool in a
 * directory, and the tests below run against it. Each test gets a fresh temporary directory.
 *
 * <pre>{@code
 * class MySpoolTest extends SpoolCompatibilityKit {
 *   protected Spool open(Path dir, long maxBytes, SpoolDurability durability) throws IOException {
 *     return MySpool.open(dir, maxBytes, durability);
 *   }
 * }
 * }</pre>
 */
public abstract class SpoolCompatibilityKit {
  /** A bound no test reaches unless it means to. */
  protected static final long LARGE = 64L << 20;

  /** The directory of the current test. */
  @TempDir protected Path directory;

  private final List<Spool> opened = new ArrayList<>();

  /** Creates a kit; subclasses are JUnit test classes. */
  protected SpoolCompatibilityKit() {}

  /**
   * Opens (or creates) the spool under test in a directory.
   *
   * @param directory the spool directory
   * @param maxBytes the bound on pending bytes
   * @param durability what commit guarantees
   * @return the open spool
   * @throws IOException when it cannot be opened
   */
  protected abstract Spool open(Path directory, long maxBytes, SpoolDurability durability) throws IOException;

  @AfterEach
  void closeSpools() {
    for (Spool s : opened) {
      s.close();
    }
  }

  /**
   * Opens a spool in the test's directory and closes it after the test.
   *
   * @param maxBytes bound on pending bytes
   * @return the spool
   * @throws IOException when it cannot be opened
   */
  protected final Spool openTracked(long maxBytes) throws IOException {
    Spool s = open(directory, maxBytes, SpoolDurability.PROCESS_CRASH);
    opened.add(s);
    return s;
  }

  /** One record read back. */
  protected record Read(long position, byte[] bytes) {
    /**
     * Returns the record as UTF-8 text.
     *
     * @return the text
     */
    public String text() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /**
   * Appends and commits records given as UTF-8 text.
   *
   * @param spool the spool
   * @param records the texts
   * @throws IOException from the spool
   */
  protected static void appendAll(Spool spool, String... records) throws IOException {
    for (String r : records) {
      byte[] b = r.getBytes(StandardCharsets.UTF_8);
      spool.append(b, 0, b.length);
    }
    spool.commit();
  }

  /**
   * Reads until the spool says it is at the end.
   *
   * @param spool the spool
   * @return the records read, copied
   * @throws IOException from the spool
   */
  protected static List<Read> readAll(Spool spool) throws IOException {
    List<Read> out = new ArrayList<>();
    while (spool.read((p, b, o, l) -> out.add(new Read(p, Arrays.copyOfRange(b, o, o + l))))) {
      // keep reading
    }
    return out;
  }

  private static List<String> texts(List<Read> reads) {
    return reads.stream().map(Read::text).toList();
  }

  @Test
  public void readsRecordsBackInOrderAndByteExact() throws IOException {
    Spool spool = openTracked(LARGE);
    byte[] big = new byte[32 * 1024];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) (i * 31 + 7);
    }
    String unicode = "{\"event\":\"Caf\u00e9 \u2615 \u65e5\u672c \ud83d\ude80\"}";
    byte[] framed = new byte[big.length + 20];
    System.arraycopy(big, 0, framed, 10, big.length);

    appendAll(spool, "{\"n\":1}", unicode);
    spool.append(framed, 10, big.length);
    appendAll(spool, "x");

    List<Read> reads = readAll(spool);
    assertThat(reads).hasSize(4);
    assertThat(reads.get(0).text()).isEqualTo("{\"n\":1}");
    assertThat(reads.get(1).text()).isEqualTo(unicode);
    assertThat(reads.get(2).bytes()).isEqualTo(big);
    assertThat(reads.get(3).text()).isEqualTo("x");
    assertThat(reads).extracting(Read::position).isSorted().doesNotHaveDuplicates();
  }

  @Test
  public void readAtTheEndReturnsFalseThenSeesNewRecords() throws IOException {
    Spool spool = openTracked(LARGE);
    assertThat(readAll(spool)).isEmpty();
    appendAll(spool, "a");
    assertThat(texts(readAll(spool))).containsExactly("a");
    assertThat(readAll(spool)).isEmpty();
    appendAll(spool, "b", "c");
    assertThat(texts(readAll(spool))).containsExactly("b", "c");
  }

  @Test
  public void readResumesAfterTheAcknowledgedPositionAfterReopen() throws IOException {
    Spool spool = open(directory, LARGE, SpoolDurability.PROCESS_CRASH);
    appendAll(spool, "1", "2", "3", "4", "5");
    List<Read> reads = readAll(spool);
    spool.acknowledge(reads.get(2).position());
    spool.close();

    Spool again = openTracked(LARGE);
    assertThat(again.recoveredRecords()).isEqualTo(2);
    assertThat(texts(readAll(again))).containsExactly("4", "5");
  }

  @Test
  public void unacknowledgedRecordsAreReadAgainAfterReopenAndCounted() throws IOException {
    Spool spool = open(directory, LARGE, SpoolDurability.PROCESS_CRASH);
    appendAll(spool, "a", "b", "c");
    assertThat(readAll(spool)).hasSize(3); // read, never acknowledged
    spool.close();

    Spool again = openTracked(LARGE);
    assertThat(again.recoveredRecords()).isEqualTo(3);
    assertThat(texts(readAll(again))).containsExactly("a", "b", "c");
  }

  @Test
  public void acknowledgingEverythingLeavesNothingToRecover() throws IOException {
    Spool spool = open(directory, LARGE, SpoolDurability.PROCESS_CRASH);
    appendAll(spool, "a", "b");
    List<Read> reads = readAll(spool);
    spool.acknowledge(reads.get(1).position());
    spool.close();

    Spool again = openTracked(LARGE);
    assertThat(again.recoveredRecords()).isZero();
    assertThat(again.pendingBytes()).isZero();
    assertThat(readAll(again)).isEmpty();
    appendAll(again, "c");
    assertThat(texts(readAll(again))).containsExactly("c");
  }

  @Test
  public void pendingBytesRiseOnAppendFallOnAcknowledgeAndSurviveReopen() throws IOException {
    Spool spool = open(directory, LARGE, SpoolDurability.PROCESS_CRASH);
    assertThat(spool.pendingBytes()).isZero();
    appendAll(spool, "0123456789", "abcde", "xyz");
    long afterAppend = spool.pendingBytes();
    assertThat(afterAppend).isGreaterThanOrEqualTo(18);

    List<Read> reads = readAll(spool);
    assertThat(spool.pendingBytes()).as("reading alone does not release").isEqualTo(afterAppend);
    spool.acknowledge(reads.get(0).position());
    long afterAck = spool.pendingBytes();
    assertThat(afterAck).isLessThanOrEqualTo(afterAppend - 10).isGreaterThanOrEqualTo(8);
    spool.close();

    Spool again = openTracked(LARGE);
    assertThat(again.pendingBytes()).isEqualTo(afterAck);
    List<Read> rest = readAll(again);
    again.acknowledge(rest.get(rest.size() - 1).position());
    assertThat(again.pendingBytes()).isZero();
  }

  @Test
  public void appendBeyondMaxBytesThrowsAndWorksAgainAfterAcknowledge() throws IOException {
    Spool spool = openTracked(100);
    assertThat(spool.maxBytes()).isEqualTo(100);
    byte[] forty = new byte[40];
    Arrays.fill(forty, (byte) 'a');
    spool.append(forty, 0, 40);
    spool.append(forty, 0, 40);
    spool.commit();
    assertThatThrownBy(() -> spool.append(forty, 0, 40)).isInstanceOf(IOException.class);
    assertThat(spool.pendingBytes()).isLessThanOrEqualTo(100);

    List<Read> reads = readAll(spool);
    assertThat(reads).hasSize(2);
    spool.acknowledge(reads.get(0).position());
    spool.append(forty, 0, 40);
    spool.commit();
    assertThat(readAll(spool)).hasSize(1);
  }

  @Test
  public void secondOpenOfTheSameDirectoryFailsWithAClearMessage() throws IOException {
    openTracked(LARGE);
    assertThatThrownBy(() -> open(directory, LARGE, SpoolDurability.PROCESS_CRASH).close())
        .isInstanceOf(dev.beacon.spi.SpoolLockedException.class)
        .hasMessageContaining(directory.getFileName().toString());
  }

  @Test
  public void directoryCanBeReopenedAfterClose() throws IOException {
    Spool spool = open(directory, LARGE, SpoolDurability.PROCESS_CRASH);
    spool.close();
    Spool again = openTracked(LARGE);
    appendAll(again, "ok");
    assertThat(texts(readAll(again))).containsExactly("ok");
  }

  @Test
  public void closeIsIdempotent() throws IOException {
    Spool spool = open(directory, LARGE, SpoolDurability.PROCESS_CRASH);
    appendAll(spool, "a");
    spool.close();
    spool.close();
    assertThat(spool.writable()).isFalse();
  }

  @Test
  public void osCrashDurabilityReadsBackLikeTheDefault() throws IOException {
    Spool spool = open(directory, LARGE, SpoolDurability.OS_CRASH);
    opened.add(spool);
    appendAll(spool, "a", "b");
    appendAll(spool, "c");
    assertThat(texts(readAll(spool))).containsExactly("a", "b", "c");
  }

  @Test
  public void readerOnAnotherThreadSeesEveryRecordOnce() throws Exception {
    Spool spool = openTracked(LARGE);
    int n = 5_000;
    List<String> got = new ArrayList<>();
    Thread reader = new Thread(() -> {
      try {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (got.size() < n && System.nanoTime() < deadline) {
          List<Read> reads = readAll(spool);
          if (!reads.isEmpty()) {
            reads.forEach(r -> got.add(r.text()));
            spool.acknowledge(reads.get(reads.size() - 1).position());
          } else {
            Thread.onSpinWait();
          }
        }
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    reader.start();
    for (int i = 0; i < n; i++) {
      byte[] b = Integer.toString(i).getBytes(StandardCharsets.UTF_8);
      spool.append(b, 0, b.length);
      if (i % 50 == 49) {
        spool.commit();
      }
    }
    spool.commit();
    reader.join(30_000);
    assertThat(got).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(got.get(i)).isEqualTo(Integer.toString(i));
    }
    assertThat(spool.pendingBytes()).isZero();
  }
}
