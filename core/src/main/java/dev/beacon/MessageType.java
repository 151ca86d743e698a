package dev.beacon;

/** The six Segment call types. {@link #wireName()} is the value of the {@code type} field on the wire. */
public enum MessageType {
  /** Who the user is: {@code identify}. */
  IDENTIFY("identify"),
  /** What the user did: {@code track}. */
  TRACK("track"),
  /** A web page view: {@code page}. */
  PAGE("page"),
  /** A mobile screen view: {@code screen}. */
  SCREEN("screen"),
  /** Membership of an account or organisation: {@code group}. */
  GROUP("group"),
  /** Merge of two user identities: {@code alias}. */
  ALIAS("alias");

  private final String wireName;

  MessageType(String wireName) {
    this.wireName = wireName;
  }

  /**
   * Returns the lower-case name used in the JSON {@code type} field.
   *
   * @return the wire name, e.g. {@code "track"}
   */
  public String wireName() {
    return wireName;
  }

  /**
   * Looks a type up by its wire name.
   *
   * @param wireName the JSON {@code type} value
   * @return the type
   * @throws IllegalArgumentException if the name is not one of the six types
   */
  public static MessageType fromWireName(String wireName) {
    for (MessageType t : values()) {
      if (t.wireName.equals(wireName)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "type must be one of identify, track, page, screen, group, alias but was: " + wireName);
  }
}
