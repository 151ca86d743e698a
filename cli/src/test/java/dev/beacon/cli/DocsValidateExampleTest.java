package dev.beacon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/tracking-plans.md's {@code beacon validate} example is a real run: the plan is the page's
 * own eCommerce plan, the input files and the output are the ones shown. When the tool's output
 * changes, regenerate the block with
 * {@code mvn -B -q -o verify -pl cli -am -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=DocsValidateExampleTest -DskipITs -Dbeacon.docs.update=true} and review the diff.
 */
class DocsValidateExampleTest {
  /** Surefire runs with the module directory as working directory. */
  private static final Path DOC = Path.of("../docs/tracking-plans.md");
  private static final Pattern PLAN_BLOCK = Pattern.compile("(?m)^```json[ \\t]*\\n(.*?)^```", Pattern.DOTALL);
  /** The example: the ```text block whose first line runs cat on the first input file. */
  private static final Pattern EXAMPLE_BLOCK =
      Pattern.compile("(?m)^```text\\n(\\$ cat events-2024-06-01\\.ndjson\\n.*?)^```", Pattern.DOTALL);

  private static final String PRODUCT = "{\"product_id\":\"p-7\",\"price\":12.5,\"quantity\":1}";
  private static final List<String> JUNE_1 = List.of(
      "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Order Completed\",\"properties\":{\"orderId\":\"o-1\",\"currency\":\"USD\",\"products\":[" + PRODUCT + "]}}",
      "{\"type\":\"track\",\"userId\":\"u2\",\"event\":\"Order Completed\",\"properties\":{\"orderId\":\"o-2\",\"total\":\"30.00\",\"currency\":\"USD\",\"products\":[" + PRODUCT + "]}}",
      "{\"type\":\"track\",\"userId\":\"u3\",\"event\":\"Order Complted\",\"properties\":{\"orderId\":\"o-3\"}}",
      "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Product Viewed\",\"properties\":{\"product_id\":\"p-7\",\"price\":12.5}}");
  private static final List<String> JUNE_2 = List.of(
      "{\"type\":\"identify\",\"userId\":\"u4\",\"traits\":{\"email\":\"jane.example.com\",\"plan\":\"gold\"}}",
      "{\"type\":\"track\",\"userId\":\"u4\",\"event\":\"Order Completed\",\"properties\":{\"orderId\":\"o-4\",\"currency\":\"usd\",\"products\":[" + PRODUCT + "]}}",
      "{\"type\":\"track\",\"userId\":\"u5\",\"event\":\"Checkout Started\",\"properties\":{\"order_id\":\"o-5\",\"value\":20}}");

  @TempDir Path dir;

  @Test
  void theDocsValidateExampleIsWhatTheToolPrints() throws IOException {
    String md = Files.readString(DOC, StandardCharsets.UTF_8);
    Matcher plan = PLAN_BLOCK.matcher(md);
    assertThat(plan.find()).as("the plan's json block").isTrue();
    Files.writeString(dir.resolve("tracking-plan.json"), plan.group(1), StandardCharsets.UTF_8);
    Files.write(dir.resolve("events-2024-06-01.ndjson"), JUNE_1, StandardCharsets.UTF_8);
    Files.write(dir.resolve("events-2024-06-02.ndjson"), JUNE_2, StandardCharsets.UTF_8);

    Cli.Run run = Cli.beacon("validate", "--plan", dir.resolve("tracking-plan.json").toString(),
        dir.resolve("events-2024-06-01.ndjson").toString(), dir.resolve("events-2024-06-02.ndjson").toString());
    assertThat(run.exit()).as(run.all()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(run.err()).isEmpty();

    List<String> shown = new ArrayList<>();
    shown.add("$ cat events-2024-06-01.ndjson");
    shown.addAll(JUNE_1);
    shown.add("$ cat events-2024-06-02.ndjson");
    shown.addAll(JUNE_2);
    shown.add("$ beacon validate --plan tracking-plan.json events-2024-06-*.ndjson");
    run.out().replace(dir.toString() + "/", "").lines().forEach(shown::add);
    shown.add("$ echo $?");
    shown.add(String.valueOf(run.exit()));
    String expected = String.join("\n", shown) + "\n";

    Matcher block = EXAMPLE_BLOCK.matcher(md);
    assertThat(block.find()).as("a ```text block starting with '$ cat events-2024-06-01.ndjson' in %s", DOC).isTrue();
    if (Boolean.getBoolean("beacon.docs.update")) {
      Files.writeString(DOC, md.substring(0, block.start(1)) + expected + md.substring(block.end(1)),
          StandardCharsets.UTF_8);
      return;
    }
    assertThat(block.group(1)).as("docs/tracking-plans.md's validate example is out of date; regenerate it with"
        + " -Dbeacon.docs.update=true (see this test's Javadoc)").isEqualTo(expected);
  }
}
