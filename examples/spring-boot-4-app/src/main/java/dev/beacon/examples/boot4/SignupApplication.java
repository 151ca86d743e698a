package dev.beacon.examples.boot4;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A plain Spring Boot 4 application: the Beacon starter gives it its {@code Analytics} bean. */
@SpringBootApplication
public class SignupApplication {
  /** Created by Spring. */
  public SignupApplication() {}

  /**
   * Starts the application.
   *
   * @param args Spring Boot's command-line arguments ({@code --server.port=...})
   */
  public static void main(String[] args) {
    SpringApplication.run(SignupApplication.class, args);
  }
}
