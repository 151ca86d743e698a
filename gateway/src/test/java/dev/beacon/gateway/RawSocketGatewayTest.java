package dev.beacon.gateway;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The set-up the raw-socket tests share ({@link RawHttp}: pipelining, clients that leave,
 * {@code Expect: 100-continue}): a gateway on an ephemeral port of 127.0.0.1 with the fixture's keys
 * in a temporary directory and a {@link RecordingSink}, stopped after each test.
 */
abstract class RawSocketGatewayTest {
  /** How long a test's socket waits for an answer: generous, since CI machines are busy. */
  static final Duration READ = Duration.ofSeconds(60);
  @TempDir
  Path dir;
  final RecordingSink sink = new RecordingSink();
  Gateway gateway;
  URI base;

  @BeforeEach
  void start() throws Exception {
    start(b -> b);
  }

  /** (Re)starts the gateway with options on top of the fixture's. */
  void start(UnaryOperator<Gateway.Builder> options) throws Exception {
    stop();
    gateway = options.apply(Gateway.builder(GatewayFixture.keysFile(dir), sink).listen("127.0.0.1", 0)).build().start();
    base = gateway.uri();
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(10));
      gateway = null;
    }
  }

  /** A connection to the gateway for writing raw requests. */
  RawHttp connect() throws java.io.IOException {
    return new RawHttp(base, READ);
  }

  /** The messageIds the sink stored, in order. */
  List<String> storedIds() {
    return sink.messages().stream().map(m -> (String) m.get("messageId")).toList();
  }
}
