package dev.beacon.examples.docs;

/** Runs the docs' {@link CheckoutTest}, which lives in the main source set to be quoted. */
class CheckoutTestRunsTest extends CheckoutTest {}
