/**
 * The examples of {@code docs/*.md}, compiled and run by the build. Every Java block in the docs
 * is copied from a {@code // tag::name[]} region of a file in this package, and
 * {@code DocsSnippetsTest} fails the build when a block no longer matches.
 *
 * <p>Examples that build a client take a {@link dev.beacon.spi.Transport} so that the tests can
 * pass the testkit's {@code CapturingTransport}; production code omits {@code .transport(...)}
 * and gets the transport found on the class path.
 */
package dev.beacon.examples.docs;
