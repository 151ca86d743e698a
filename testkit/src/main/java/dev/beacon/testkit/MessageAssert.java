package dev.beacon.testkit;

import java.math.BigDecimal;
import java.util.Objects;
import org.assertj.core.api.AbstractAssert;

/** Assertions on one {@link CapturedMessage}; chain them after a recorder assertion. */
public final class MessageAssert extends AbstractAssert<MessageAssert, CapturedMessage> {
  MessageAssert(CapturedMessage actual) {
    super(actual, MessageAssert.class);
  }

  /**
   * Checks a property, comparing numbers by value ({@code 99.99} equals {@code BigDecimal("99.99")}).
   *
   * @param name the property name, or a dotted path under properties such as {@code "products[0].sku"}
   * @param expected the expected value
   * @return this
   */
  public MessageAssert withProperty(String name, Object expected) {
    return withValue("properties." + name, expected);
  }

  /**
   * Checks a trait.
   *
   * @param name the trait name or a dotted path under traits
   * @param expected the expected value
   * @return this
   */
  public MessageAssert withTrait(String name, Object expected) {
    return withValue("traits." + name, expected);
  }

  /**
   * Checks any field by path, e.g. {@code "context.traits.email"}.
   *
   * @param path the dotted path
   * @param expected the expected value
   * @return this
   */
  public MessageAssert withValue(String path, Object expected) {
    isNotNull();
    Object v = actual.get(path);
    if (!same(v, expected)) {
      failWithMessage("Expected %s to be <%s> but was <%s> in %s", path, expected, v, actual);
    }
    return this;
  }

  /**
   * Checks the user id.
   *
   * @param userId the expected user id
   * @return this
   */
  public MessageAssert withUserId(String userId) {
    return withValue("userId", userId);
  }

  /**
   * Checks the anonymous id.
   *
   * @param anonymousId the expected anonymous id
   * @return this
   */
  public MessageAssert withAnonymousId(String anonymousId) {
    return withValue("anonymousId", anonymousId);
  }

  /**
   * Checks the message id.
   *
   * @param messageId the expected id
   * @return this
   */
  public MessageAssert withMessageId(String messageId) {
    return withValue("messageId", messageId);
  }

  /**
   * Checks the timestamp as sent, e.g. {@code "2024-01-15T10:30:00.000Z"}.
   *
   * @param timestamp the expected text
   * @return this
   */
  public MessageAssert withTimestamp(String timestamp) {
    return withValue("timestamp", timestamp);
  }

  private static boolean same(Object actual, Object expected) {
    if (actual instanceof Number && expected instanceof Number) {
      return new BigDecimal(actual.toString()).compareTo(new BigDecimal(expected.toString())) == 0;
    }
    return Objects.equals(actual, expected);
  }
}
