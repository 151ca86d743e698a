package dev.beacon.transport.http;

import static dev.beacon.transport.http.Fixtures.KEY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.beacon.Track;
import dev.beacon.spi.Batch;
import dev.beacon.spi.SendResult;
import dev.beacon.testkit.CollectorServer;
import dev.beacon.transport.http.spi.GzipCompressor;
import dev.beacon.transport.http.spi.GzipCompressorProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.ServiceConfigurationError;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How {@link HttpTransport} chooses its gzip compressor: the JDK's when none is found or when
 * forced, a provider found otherwise, the JDK's again (with one warning, never an exception) when
 * the provider cannot start; and that the chosen one really compresses what the collector decodes.
 */
class GzipCompressorSelectionTest {
  private static final URI LOCAL = URI.create("http://127.0.0.1:9");

  @Test
  void usesTheJdkCompressorWhenNoProviderIsFound() {
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipProviders(List.of()).build()) {
      assertThat(t.gzipCompressor()).isEqualTo("jdk");
      assertThat(t.toString()).contains("gzip=true(level 1, jdk)");
    }
  }

  @Test
  void transportHttpAloneFindsNoOtherCompressorWithServiceLoader() {
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).build()) {
      assertThat(t.gzipCompressor()).isEqualTo("jdk");
    }
  }

  @Test
  void usesTheHighestPriorityProviderFound() {
    Counting low = new Counting("low", 1);
    Counting high = new Counting("high", 5);
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipProviders(List.of(low, high)).build()) {
      assertThat(t.gzipCompressor()).isEqualTo("high");
      assertThat(low.created).hasValue(0);
    }
  }

  @Test
  void jdkForcesTheBuiltInCompressorAndNeverStartsTheProvider() {
    Counting fake = new Counting("fake", 5);
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipCompressor("jdk")
        .gzipProviders(List.of(fake)).build()) {
      assertThat(t.gzipCompressor()).isEqualTo("jdk");
      assertThat(fake.created).hasValue(0);
    }
  }

  @Test
  void aNameChoosesAmongTheProvidersFound() {
    Counting a = new Counting("a", 9);
    Counting b = new Counting("b", 0);
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipCompressor("b")
        .gzipProviders(List.of(a, b)).build()) {
      assertThat(t.gzipCompressor()).isEqualTo("b");
    }
  }

  @Test
  void aProviderPassedToTheBuilderIsUsedWithoutServiceLoader() {
    Counting given = new Counting("given", 0);
    Counting found = new Counting("found", 9);
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipCompressor(given)
        .gzipProviders(List.of(found)).build()) {
      assertThat(t.gzipCompressor()).isEqualTo("given");
      assertThat(given.created).hasValue(1);
      assertThat(found.created).hasValue(0);
    }
    assertThat(given.closed).hasValue(1);
  }

  @Test
  void anUnknownNameIsRefusedAtBuildNamingTheOptionAndWhatWasFound() {
    assertThatThrownBy(() -> HttpTransport.builder(KEY).endpoint(LOCAL).gzipCompressor("zstd")
        .gzipProviders(List.of(new Counting("a", 0))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gzipCompressor 'zstd'").hasMessageContaining("jdk (built in), a")
        .hasMessageContaining("beacon-compression-libdeflate");
    assertThatThrownBy(() -> HttpTransport.builder(KEY).gzipCompressor(" ").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gzipCompressor");
  }

  @Test
  void aProviderWithoutItsNativeLibraryFallsBackToTheJdkWithOneWarning() {
    GzipCompressorProvider noNative = new Counting("native", 5) {
      @Override
      public GzipCompressor create(int level) {
        throw new UnsatisfiedLinkError("no libnative in java.library.path");
      }
    };
    String log = stderrOf(() -> {
      try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipProviders(List.of(noNative)).build()) {
        assertThat(t.gzipCompressor()).isEqualTo("jdk");
      }
    });
    assertThat(log.lines().filter(l -> l.contains("WARN"))).hasSize(1);
    assertThat(log).contains("gzip compressor 'native' could not start", "UnsatisfiedLinkError")
        .doesNotContain(KEY);
  }

  @Test
  void aProviderThatCannotAllocateItsNativeStateFallsBackToTheJdkWithOneWarning() {
    // jlibdeflate throws OutOfMemoryError("Failed to allocate libdeflate compressor") when malloc fails.
    GzipCompressorProvider noMemory = new Counting("native", 5) {
      @Override
      public GzipCompressor create(int level) {
        throw new OutOfMemoryError("Failed to allocate native compressor");
      }
    };
    String log = stderrOf(() -> {
      try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipProviders(List.of(noMemory)).build()) {
        assertThat(t.gzipCompressor()).isEqualTo("jdk");
      }
    });
    assertThat(log.lines().filter(l -> l.contains("WARN"))).hasSize(1);
    assertThat(log).contains("gzip compressor 'native' could not start", "Failed to allocate").doesNotContain(KEY);
  }

  @Test
  void aCompressorThatThrowsAnErrorFailsTheAttemptAndIsClosed() throws Exception {
    Counting failing = new Counting("failing", 1) {
      @Override
      GzipCompressor wrap(GzipCompressor jdk) {
        return new Delegating(jdk) {
          @Override
          public int compress(byte[] input, int offset, int length, byte[] output) {
            throw new OutOfMemoryError("Failed to allocate native buffer");
          }
        };
      }
    };
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipProviders(List.of(failing)).build()) {
      Batch batch = Batch.of(List.of(Track.builder("Broken").userId("u").build()));
      assertThatThrownBy(() -> t.send(batch).get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("Failed to allocate native buffer");
      assertThat(failing.closed).hasValue(1);
    }
  }

  @Test
  void aProviderClassThatCannotLoadIsSkippedAndAChosenNameThenFallsBack() {
    Iterable<GzipCompressorProvider> broken = () -> new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < 1;
      }

      @Override
      public GzipCompressorProvider next() {
        if (i++ == 0) {
          throw new ServiceConfigurationError("Provider dev.example.Broken could not be instantiated",
              new NoClassDefFoundError("com/example/Native"));
        }
        throw new NoSuchElementException();
      }
    };
    String log = stderrOf(() -> {
      try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipCompressor("libdeflate")
          .gzipProviders(broken).build()) {
        assertThat(t.gzipCompressor()).isEqualTo("jdk");
      }
    });
    assertThat(log).contains("skipped", "dev.example.Broken", "'libdeflate' is not available");
  }

  @Test
  void theChosenCompressorGzipsWhatTheCollectorDecodesAndCloseFreesIt() throws Exception {
    Counting fake = new Counting("fake", 1);
    try (CollectorServer server = CollectorServer.builder().writeKey(KEY).build().start()) {
      HttpTransport t = Fixtures.http(server.uri()).gzipProviders(List.of(fake)).build();
      try {
        for (int i = 0; i < 3; i++) {
          List<Track> msgs = new ArrayList<>();
          for (int m = 0; m < 200; m++) {
            msgs.add(Track.builder("Compressed").userId("u" + m).properties(Map.of("i", i)).build());
          }
          SendResult r = t.send(Batch.of(msgs)).get(20, TimeUnit.SECONDS);
          assertThat(r.outcome()).isEqualTo(SendResult.Outcome.DELIVERED);
        }
      } finally {
        t.close();
      }
      assertThat(server.awaitMessages(600, Duration.ofSeconds(20))).hasSize(600);
      assertThat(server.requests()).allSatisfy(req -> {
        assertThat(req.contentEncoding()).isEqualTo("gzip");
        assertThat(req.uncompressedBytes()).isGreaterThan(req.bodyBytes());
      });
    }
    assertThat(fake.compressed).hasValue(3);
    assertThat(fake.created.get()).isPositive().isEqualTo(fake.closed.get());
  }

  @Test
  void aCompressorThatFailsFailsTheAttemptNotTheCallerAndIsNotReused() throws Exception {
    Counting failing = new Counting("failing", 1) {
      @Override
      GzipCompressor wrap(GzipCompressor jdk) {
        return new Delegating(jdk) {
          @Override
          public int compress(byte[] input, int offset, int length, byte[] output) {
            compressed.incrementAndGet();
            return output.length + 1; // a broken provider's answer: must not become a body
          }
        };
      }
    };
    try (HttpTransport t = HttpTransport.builder(KEY).endpoint(LOCAL).gzipProviders(List.of(failing)).build()) {
      Batch batch = Batch.of(List.of(Track.builder("Broken").userId("u").build()));
      assertThatThrownBy(() -> t.send(batch).get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class)
          .hasMessageContaining("returned");
      assertThat(failing.closed).hasValue(1);
    }
  }

  private static String stderrOf(Runnable r) {
    PrintStream old = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      r.run();
    } finally {
      System.setErr(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  /** A provider of JDK compressors that counts what it creates, compresses and closes. */
  static class Counting implements GzipCompressorProvider {
    final String name;
    final int priority;
    final AtomicInteger created = new AtomicInteger();
    final AtomicInteger compressed = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();

    Counting(String name, int priority) {
      this.name = name;
      this.priority = priority;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    public GzipCompressor create(int level) {
      created.incrementAndGet();
      return wrap(new JdkGzipCompressor(level));
    }

    GzipCompressor wrap(GzipCompressor jdk) {
      return new Delegating(jdk) {
        @Override
        public int compress(byte[] input, int offset, int length, byte[] output) {
          compressed.incrementAndGet();
          return super.compress(input, offset, length, output);
        }
      };
    }

    class Delegating implements GzipCompressor {
      final GzipCompressor d;

      Delegating(GzipCompressor d) {
        this.d = d;
      }

      @Override
      public int maxCompressedLength(int inputLength) {
        return d.maxCompressedLength(inputLength);
      }

      @Override
      public int compress(byte[] input, int offset, int length, byte[] output) {
        return d.compress(input, offset, length, output);
      }

      @Override
      public void close() {
        closed.incrementAndGet();
        d.close();
      }
    }
  }
}
