package dev.beacon.trackingplan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/tracking-plans.md shows the plan these tests load: the two must not drift apart. */
class DocsPlanTest {
  private static final Pattern JSON_BLOCK = Pattern.compile("(?m)^```json[ \\t]*\\n(.*?)^```", Pattern.DOTALL);

  @Test
  void theDocsExamplePlanIsTheOneTheTestsLoad() throws Exception {
    String md = Files.readString(Path.of("../docs/tracking-plans.md"));
    Matcher m = JSON_BLOCK.matcher(md);
    assertThat(m.find()).as("a json block in docs/tracking-plans.md").isTrue();
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(m.group(1))).isEqualTo(json.readTree(Plans.ecommerceFile().toFile()));
    assertThat(TrackingPlan.parse(m.group(1), "docs").events())
        .contains("Order Completed", "Product Viewed", "Product Added", "Products Searched", "Cart Viewed",
            "Checkout Started");
  }
}
