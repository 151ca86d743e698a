package dev.beacon.transport.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link DeflateBenchmark}'s two pairs measured <em>paired</em>, for a shared machine: JMH runs
 * one benchmark after the other, so each sees a different share of the CPU while other work comes
 * and goes. Here the two sides of a pair alternate in short blocks (about 5 ms each, the order
 * switched every round) on the same body, so both see the same load; the ratio of each round's
 * two times is the comparison, and its median over the rounds the answer. Not JMH: the same
 * paths, the same checks ({@link DeflateBenchmark#setUp()} gunzips every path's output first).
 *
 * <pre>
 * java -cp benchmarks.jar dev.beacon.transport.http.DeflatePaired [rounds (400)] [messages... (100 500 1500)]
 * </pre>
 */
public final class DeflatePaired {
  private DeflatePaired() {}

  /**
   * Runs the paired rounds and prints one line per pair and batch size.
   *
   * @param args rounds, then batch sizes
   * @throws IOException never (in-memory streams)
   */
  public static void main(String[] args) throws IOException {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 400;
    int[] sizes = args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
        : new int[] {100, 500, 1500};
    for (int messages : sizes) {
      DeflateBenchmark b = new DeflateBenchmark();
      b.messages = messages;
      b.setUp();
      try {
        DeflateBenchmark.Bytes sink = new DeflateBenchmark.Bytes();
        Op jdk = () -> b.jdkDeflater(sink);
        Op lib = () -> b.libdeflate(sink);
        Op jdkT = () -> b.jdkTransport(sink).length;
        Op libT = () -> b.libdeflateTransport(sink).length;
        Op jdkP = () -> b.pooledJdk(sink).length;
        Op libP = () -> b.pooledLibdeflate(sink).length;
        int jdkSize = jdk.run();
        int libSize = lib.run();
        report(messages, b.body.length, "compressor alone: libdeflate ÷ JDK Deflater", jdk, lib, jdkSize, libSize, rounds);
        report(messages, b.body.length, "as a transport encodes: libdeflate ÷ HttpTransport.encode", jdkT, libT,
            jdkT.run(), libT.run(), rounds);
        // Issue 23 §1: the transport's own pooled paths against the stream path they replaced.
        report(messages, b.body.length, "HttpTransport.encode, JDK: pooled (now) ÷ stream (before)", jdkT, jdkP,
            jdkT.run(), jdkP.run(), rounds);
        report(messages, b.body.length, "HttpTransport.encode: pooled libdeflate (module) ÷ stream JDK (before)", jdkT,
            libP, jdkT.run(), libP.run(), rounds);
        report(messages, b.body.length, "HttpTransport.encode, pooled: libdeflate ÷ JDK", jdkP, libP, jdkP.run(),
            libP.run(), rounds);
      } finally {
        b.tearDown();
      }
    }
  }

  /** One measured call; returns the compressed size. */
  interface Op {
    int run() throws IOException;
  }

  private static void report(int messages, int bodyBytes, String what, Op jdk, Op lib, int jdkSize, int libSize,
      int rounds) throws IOException {
    // Warm-up: both paths compiled before any round counts.
    long warmUntil = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < warmUntil) {
      jdk.run();
      lib.run();
    }
    int perBlock = Math.max(1, (int) (5_000_000L / Math.max(1, timeOne(jdk))));
    List<Double> jdkNs = new ArrayList<>();
    List<Double> libNs = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      double a;
      double c;
      if ((r & 1) == 0) {
        a = block(jdk, perBlock);
        c = block(lib, perBlock);
      } else {
        c = block(lib, perBlock);
        a = block(jdk, perBlock);
      }
      jdkNs.add(a);
      libNs.add(c);
      ratios.add(a / c); // > 1: libdeflate faster
    }
    double jdkMed = median(jdkNs);
    double libMed = median(libNs);
    System.out.printf("%5d messages (%,d B body), %s: JDK %,.0f µs/batch (%,.0f MB/s, %,.0f batches/s), libdeflate"
            + " %,.0f µs/batch (%,.0f MB/s, %,.0f batches/s); speed-up median %.2f× (quartiles %.2f–%.2f, %d rounds"
            + " of %d calls each); size %,d vs %,d B (%.3f)%n",
        messages, bodyBytes, what, jdkMed / 1e3, bodyBytes / jdkMed * 1e3, 1e9 / jdkMed, libMed / 1e3,
        bodyBytes / libMed * 1e3, 1e9 / libMed, median(ratios), quantile(ratios, 0.25), quantile(ratios, 0.75),
        rounds, perBlock, jdkSize, libSize, (double) libSize / jdkSize);
  }

  private static long timeOne(Op op) throws IOException {
    long t = System.nanoTime();
    op.run();
    return System.nanoTime() - t;
  }

  /** Nanoseconds per call over {@code n} calls. */
  private static double block(Op op, int n) throws IOException {
    long t = System.nanoTime();
    int keep = 0;
    for (int i = 0; i < n; i++) {
      keep += op.run();
    }
    long ns = System.nanoTime() - t;
    if (keep == 0) {
      throw new IllegalStateException("no output");
    }
    return (double) ns / n;
  }

  private static double median(List<Double> v) {
    return quantile(v, 0.5);
  }

  private static double quantile(List<Double> v, double q) {
    double[] s = v.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return s[(int) Math.min(s.length - 1, Math.round(q * (s.length - 1)))];
  }
}
