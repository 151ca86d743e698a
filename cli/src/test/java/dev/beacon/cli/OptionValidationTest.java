package dev.beacon.cli;

import static dev.beacon.cli.Cli.beacon;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad settings are usage errors (exit 2) on one line that names the option, before anything is sent. */
class OptionValidationTest {
  @TempDir Path dir;
  private Path file;
  private Path key;

  @BeforeEach
  void files() throws Exception {
    file = Files.write(dir.resolve("e.ndjson"), List.of("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}"));
    key = Cli.keyFile(dir, "k");
  }

  private Cli.Run importWith(String... options) {
    List<String> args = new java.util.ArrayList<>(List.of("import", "--no-progress", "--write-key-file", key.toString()));
    args.addAll(List.of(options));
    args.add(file.toString());
    return beacon(args.toArray(String[]::new));
  }

  private static void usageError(Cli.Run r, String message) {
    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err().strip()).isEqualTo("beacon: " + message);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void flushAtOutsideSegmentsBatchLimitIsRefused() {
    usageError(importWith("--endpoint", "http://127.0.0.1:9", "--flush-at", "0"),
        "--flush-at must be between 1 and 2500 but was 0");
    usageError(importWith("--endpoint", "http://127.0.0.1:9", "--flush-at", "5000"),
        "--flush-at must be between 1 and 2500 but was 5000");
  }

  @Test
  void aNegativeImportTimeoutOrANonPositiveSendTimeoutIsRefused() {
    usageError(importWith("--endpoint", "http://127.0.0.1:9", "--timeout", "-PT1S"),
        "--timeout must be zero or positive but was PT-1S");
    usageError(beacon("send", "track", "--user-id", "u", "--event", "E", "--timeout", "PT0S",
        "--endpoint", "http://127.0.0.1:9", "--write-key-file", key.toString()), "--timeout must be positive but was PT0S");
  }

  @Test
  void endpointAndRegionAreExclusive() {
    usageError(importWith("--endpoint", "http://127.0.0.1:9", "--region", "EU"),
        "--endpoint and --region are exclusive: give one");
  }

  @Test
  void plaintextToAnotherHostNamesTheSwitchThatAllowsIt() {
    Cli.Run r = importWith("--endpoint", "http://collector.example.com");
    assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).contains("plaintext http://").contains("--allow-insecure-http")
        .doesNotContain("HttpTransport");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void anEndpointThatIsNotHttpIsRefused() {
    usageError(importWith("--endpoint", "ftp://x"), "endpoint must be an https:// (or loopback http://) URI but was ftp://x");
  }
}
