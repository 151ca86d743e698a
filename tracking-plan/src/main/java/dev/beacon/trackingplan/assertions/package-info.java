/**
 * AssertJ assertions that what a test recorded conforms to a tracking plan. Needs
 * {@code dev.beacon:beacon-testkit} and AssertJ on the test class path (optional dependencies of
 * this module: the application's own class path never gets them).
 */
package dev.beacon.trackingplan.assertions;
