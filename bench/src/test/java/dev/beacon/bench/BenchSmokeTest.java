package dev.beacon.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * CI smoke mode: every benchmark, the side-by-side harness and the report generator run once, in
 * this JVM, with a single very short iteration, so none of them rots. It never judges speed.
 */
class BenchSmokeTest {
  @TempDir
  Path dir;

  @Test
  // A hang guard, not a speed check: under a verify-under-load run (both cores busy) the smoke run of
  // every benchmark took 390 s, so 120 s failed a healthy build.
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void everyBenchmarkSideBySideClientAndTheReportRunOnce() throws Exception {
    File jmhJson = dir.resolve("jmh.json").toFile();
    Options opts = new OptionsBuilder()
        .include("dev\\.beacon\\..*Benchmark")
        .forks(0)
        .warmupIterations(0)
        .measurementIterations(1)
        .measurementTime(TimeValue.milliseconds(100))
        .shouldFailOnError(true)
        // SpoolBenchmark.endToEnd: one 50,000-message invocation with OS_CRASH takes seconds (an msync per
        // commit); the instant transport keeps the smoke run short (EndToEndBenchmark covers the HTTP path).
        .param("transport", "instant")
        .resultFormat(ResultFormatType.JSON)
        .result(jmhJson.getPath())
        .build();
    Collection<RunResult> results = new Runner(opts).run();

    assertThat(results).as("benchmarks run (each parameter combination counts)").hasSizeGreaterThanOrEqualTo(40);
    for (RunResult r : results) {
      assertThat(r.getPrimaryResult().getSampleCount()).as(r.getParams().getBenchmark()).isPositive();
    }

    File sideJson = dir.resolve("side-by-side.json").toFile();
    SideBySide.Results side = SideBySide.run(2_000, new int[] {1}, 1, SideBySide.CLIENTS, true);
    SideBySide.write(side, sideJson);
    assertThat(side.runs()).hasSize(SideBySide.CLIENTS.size());
    assertThat(side.runs()).allSatisfy(run -> assertThat(run.arrivedAtClose()).isPositive());
    assertThat(side.runs()).allSatisfy(run -> assertThat(run.accepted()).isPositive());

    Path md = dir.resolve("docs/performance.md");
    Report.generate(jmhJson.toPath(), sideJson.toPath(), null, md, dir.resolve("docs/img"), "smoke");
    assertThat(Files.readString(md)).contains("Side by side with analytics-java", "Stages in isolation",
        "## Spool (Chronicle Queue)");
    assertThat(Files.readString(md)).doesNotContain("| With the spool on: ≥ 75% of in-memory end-to-end throughput | not measured");

    // The spool-only path: patch an existing page from a spool JSON (here the same run's JMH JSON).
    Path page = dir.resolve("patched.md");
    Files.writeString(page, "# p\n\n| With the spool on: ≥ 75% of in-memory end-to-end throughput | not measured | n/a |\n\n"
        + "## Bottlenecks found\n\n## Not measured here\n\n- The spool (Chronicle Queue) benchmarks: later.\n");
    Report.patchSpool(page, jmhJson.toPath(), "smoke");
    assertThat(Files.readString(page)).contains("## Spool (Chronicle Queue)", "SpoolBenchmark.endToEnd")
        .doesNotContain("not measured |");
    assertThat(dir.resolve("docs/img/side-by-side.png")).isNotEmptyFile();
    assertThat(dir.resolve("docs/img/ring-vs-queue.png")).isNotEmptyFile();
  }

  @Test
  void jmhListsEveryBenchmarkClass() throws Exception {
    List<String> names = Files.readAllLines(Path.of("target/classes/META-INF/BenchmarkList"));
    assertThat(String.join("\n", names)).contains("TrackBenchmark", "PipelineBenchmark", "MessageBuildBenchmark",
        "SerializerBenchmark", "BatchBenchmark", "FastIdsBenchmark", "TimestampsBenchmark",
        "EndToEndBenchmark", "SpoolBenchmark", "DeflateBenchmark");
  }
}
