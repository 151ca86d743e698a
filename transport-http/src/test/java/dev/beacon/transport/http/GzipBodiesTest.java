package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.Track;
import dev.beacon.spi.Batch;
import dev.beacon.transport.http.spi.GzipCompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The transport's compressor pool: concurrent callers never share a compressor, every compressor
 * made is freed by the end, and one in use when the transport closes is freed when its call returns.
 */
class GzipBodiesTest {
  private static final Instant SENT_AT = Instant.parse("2026-12-08T02:00:00Z");

  @Test
  void concurrentCallersEachGetTheirOwnCompressorAndCloseFreesEveryOne() throws Exception {
    GzipCompressorSelectionTest.Counting counting = new GzipCompressorSelectionTest.Counting("counting", 1) {
      private final java.util.Set<GzipCompressor> busy = java.util.concurrent.ConcurrentHashMap.newKeySet();

      @Override
      GzipCompressor wrap(GzipCompressor jdk) {
        return new Delegating(jdk) {
          @Override
          public int compress(byte[] input, int offset, int length, byte[] output) {
            // Two callers in one compressor at once would corrupt both bodies: fail loudly instead.
            assertThat(busy.add(this)).as("compressor used by two callers at once").isTrue();
            try {
              compressed.incrementAndGet();
              return super.compress(input, offset, length, output);
            } finally {
              busy.remove(this);
            }
          }
        };
      }
    };
    GzipBodies bodies = GzipBodies.start(null, counting, 1, List.of());
    List<Batch> batches = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      List<Track> msgs = new ArrayList<>();
      for (int m = 0; m < 50 * (b + 1); m++) {
        msgs.add(Track.builder("Pooled").userId("u" + m).properties(Map.of("b", b, "m", m)).build());
      }
      batches.add(Batch.of(msgs));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Batch batch = batches.get(t);
        results.add(pool.submit(() -> {
          go.await();
          int ok = 0;
          for (int i = 0; i < 200; i++) {
            if (java.util.Arrays.equals(gunzip(bodies.encode(batch, SENT_AT)), batch.toJson(SENT_AT))) {
              ok++;
            }
          }
          return ok;
        }));
      }
      go.countDown();
      for (Future<Integer> f : results) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
    bodies.close();
    assertThat(counting.compressed).hasValue(800);
    assertThat(counting.closed.get()).isEqualTo(counting.created.get());
  }

  @Test
  void aCompressorInUseWhenTheTransportClosesIsFreedWhenItsCallReturns() throws Exception {
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    GzipCompressorSelectionTest.Counting blocking = new GzipCompressorSelectionTest.Counting("blocking", 1) {
      @Override
      GzipCompressor wrap(GzipCompressor jdk) {
        return new Delegating(jdk) {
          @Override
          public int compress(byte[] input, int offset, int length, byte[] output) {
            inside.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.compress(input, offset, length, output);
          }
        };
      }
    };
    GzipBodies bodies = GzipBodies.start(null, blocking, 1, List.of());
    Batch batch = Batch.of(List.of(Track.builder("Closing").userId("u").build()));
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<byte[]> body = pool.submit(() -> bodies.encode(batch, SENT_AT));
      assertThat(inside.await(30, TimeUnit.SECONDS)).isTrue();
      bodies.close();
      assertThat(blocking.closed).as("in use: not freed under its caller").hasValue(0);
      release.countDown();
      assertThat(gunzip(body.get(30, TimeUnit.SECONDS))).isEqualTo(batch.toJson(SENT_AT));
      assertThat(blocking.closed).as("freed once its call returned").hasValue(1);
      assertThat(blocking.created).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] gunzip(byte[] gzip) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      return in.readAllBytes();
    }
  }
}
