/** A small application whose tests use beacon-testkit on JUnit 5. */
package dev.beacon.examples.junit5;
