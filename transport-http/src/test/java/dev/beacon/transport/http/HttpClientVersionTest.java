package dev.beacon.transport.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * The Apache HttpClient 5 this run tests is the one the build meant: the pinned pair here, the
 * oldest supported pair in {@code transport-http/httpclient-oldest} (which runs these same tests),
 * so that neither run can silently test the other's versions.
 */
class HttpClientVersionTest {
  @Test
  void runsOnTheHttpClientVersionsTheBuildChose() throws IOException {
    assertThat(version("org.apache.httpcomponents.client5", "httpclient5"))
        .isEqualTo(System.getProperty("beacon.expected.httpclient5"));
    assertThat(version("org.apache.httpcomponents.core5", "httpcore5"))
        .isEqualTo(System.getProperty("beacon.expected.httpcore5"));
  }

  @Test
  void contentCompressionSwitchIsFoundExactlyFromHttpClient56() throws IOException {
    String[] v = version("org.apache.httpcomponents.client5", "httpclient5").split("\\.");
    boolean from56 = Integer.parseInt(v[0]) > 5 || (Integer.parseInt(v[0]) == 5 && Integer.parseInt(v[1]) >= 6);
    assertThat(HttpClientFeatures.hasContentCompression()).isEqualTo(from56);
  }

  private static String version(String group, String artifact) throws IOException {
    String resource = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = HttpClientVersionTest.class.getClassLoader().getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    }
  }
}
