package dev.beacon.examples.docs;

/** Runs the docs' {@link RegisteredExtensionTest}, which lives in the main source set to be quoted. */
class RegisteredExtensionTestRunsTest extends RegisteredExtensionTest {}
