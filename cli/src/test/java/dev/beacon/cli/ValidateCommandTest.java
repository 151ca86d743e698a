package dev.beacon.cli;

import static dev.beacon.cli.Cli.beacon;
import static org.assertj.core.api.Assertions.assertThat;

import dev.beacon.testkit.CapturedMessage;
import dev.beacon.testkit.CollectorServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code beacon validate} and {@code beacon import --plan}. */
class ValidateCommandTest {
  static final String PLAN = """
      {"tracking_plan": {"display_name": "Shop", "rules": {
        "events": [
          {"name": "Order Completed", "version": 1, "rules": {
            "$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
            "properties": {"properties": {"type": "object", "required": ["orderId", "total"],
              "properties": {"orderId": {"type": "string"}, "total": {"type": "number"}}}}}},
          {"name": "Product Viewed", "version": 1, "rules": {"type": "object"}}
        ],
        "identify": {"type": "object", "properties": {"traits": {"type": "object",
          "properties": {"plan": {"enum": ["free", "premium"]}}}}}
      }}}""";

  @TempDir Path dir;

  private Path write(String name, String... lines) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, List.of(lines));
    return f;
  }

  private static String order(String id, String props) {
    return "{\"messageId\":\"" + id + "\",\"type\":\"track\",\"userId\":\"u\",\"event\":\"Order Completed\","
        + "\"properties\":" + props + "}";
  }

  @Test
  void cleanFilesExitZero() throws Exception {
    Path plan = write("plan.json", PLAN);
    Path f = write("ok.ndjson", order("1", "{\"orderId\":\"A\",\"total\":1}"),
        "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"plan\":\"free\"}}");
    Cli.Run r = beacon("validate", "--plan", plan.toString(), f.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains("checked 2 message(s) in 1 file(s) against 'Shop': 2 conform, 0 with violations");
  }

  @Test
  void violationsAreGroupedByEventAndRuleWithFileLineExamplesAndExitThree() throws Exception {
    Path plan = write("plan.json", PLAN);
    Path a = write("a.ndjson",
        order("1", "{\"orderId\":\"A\"}"),
        order("2", "{\"orderId\":\"B\",\"total\":\"9.99\"}"),
        "",
        order("3", "{\"orderId\":\"C\"}"));
    Path b = write("b.ndjson",
        "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"plan\":\"gold\"}}",
        "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Order Complete\"}",
        "{not json",
        order("4", "{\"orderId\":\"D\"}"));
    Cli.Run r = beacon("validate", "--plan", plan.toString(), a.toString(), b.toString());
    assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.INVALID_INPUT);
    String out = r.out();
    assertThat(out).contains("Order Completed: 4 violation(s)");
    assertThat(out).containsPattern("required properties.total +3 +" + a + ":1, " + a + ":4, " + b + ":4  \\(");
    assertThat(out).containsPattern("type properties.total +1 +" + a + ":2  \\(");
    assertThat(out).contains("identify: 1 violation(s)").containsPattern("enum traits.plan +1 +" + b + ":1");
    assertThat(out).contains("Order Complete: 1 violation(s)").containsPattern("unplanned +1 +" + b + ":2");
    assertThat(out).contains(b + ":3: invalid JSON");
    assertThat(out).contains("checked 6 message(s) in 2 file(s) against 'Shop': 0 conform, 6 with violations"
        + " (6 violation(s)), 1 invalid line(s)");
    Cli.Run allowing = beacon("validate", "--allow-unplanned", "--plan", plan.toString(), b.toString());
    assertThat(allowing.out()).doesNotContain("Order Complete:");
  }

  @Test
  void aBadPlanNamesTheFileAndThePointer() throws Exception {
    Path plan = write("bad-plan.json", "{\"rules\": {\"events\": [{\"name\": \"A\", \"rules\": {\"type\": 5}}]}}");
    Path f = write("x.ndjson", order("1", "{}"));
    Cli.Run r = beacon("validate", "--plan", plan.toString(), f.toString());
    assertThat(r.exit()).isEqualTo(ExitCodes.FATAL);
    assertThat(r.err()).contains("invalid tracking plan " + plan + ": /rules/events/0/rules/type: not a valid JSON Schema");
  }

  @Test
  void importWithPlanInDropModeSkipsWhatBreaksThePlanAndExitsThree() throws Exception {
    Path plan = write("plan.json", PLAN);
    Path f = write("in.ndjson", order("ok-1", "{\"orderId\":\"A\",\"total\":1}"), order("bad-2", "{\"orderId\":\"B\"}"),
        order("ok-3", "{\"orderId\":\"C\",\"total\":3}"));
    try (CollectorServer collector = CollectorServer.builder().writeKey("k").build().start()) {
      Path key = Cli.keyFile(dir, "k");
      Cli.Run r = beacon("import", "--no-progress", "--endpoint", collector.uri().toString(), "--write-key-file",
          key.toString(), "--plan", plan.toString(), "--plan-mode", "drop", f.toString());
      assertThat(r.exit()).as(r.all()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(r.out()).contains("tracking plan 'Shop': 3 checked, 1 with violations, 1 dropped")
          .contains("Order Completed: required properties.total: 1");
      assertThat(collector.messages().stream().map(CapturedMessage::messageId).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder("ok-1", "ok-3");
      Cli.Run warn = beacon("import", "--no-progress", "--endpoint", collector.uri().toString(), "--write-key-file",
          key.toString(), "--plan", plan.toString(), f.toString());
      assertThat(warn.exit()).as(warn.all()).isEqualTo(ExitCodes.OK);
      assertThat(warn.out()).contains("3 checked, 1 with violations, 0 dropped");
      Cli.Run dry = beacon("import", "--dry-run", "--plan", plan.toString(), f.toString());
      assertThat(dry.exit()).isEqualTo(ExitCodes.USAGE);
      assertThat(dry.err()).contains("beacon validate --plan");
    }
  }
}
