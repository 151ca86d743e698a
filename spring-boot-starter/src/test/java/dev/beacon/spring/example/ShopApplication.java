package dev.beacon.spring.example;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The example application of docs/spring-boot.md: a shop whose checkout tracks an event. With
 * the starter on the class path and {@code beacon.write-key} set (see application.yml), the
 * {@code Analytics} bean, its metrics and its health check need no code.
 */
@SpringBootApplication
public class ShopApplication {
  /** Not instantiated by hand: Spring Boot creates it. */
  ShopApplication() {}

  /**
   * Starts the shop.
   *
   * @param args Spring Boot's command-line arguments
   */
  public static void main(String[] args) {
    SpringApplication.run(ShopApplication.class, args);
  }
}
