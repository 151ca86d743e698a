/** A small application whose tests use beacon-testkit on JUnit 6. */
package dev.beacon.examples.junit6;
