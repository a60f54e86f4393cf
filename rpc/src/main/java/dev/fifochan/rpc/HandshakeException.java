package dev.fifochan.rpc;

import java.util.Objects;

/**
 * The two sides of a connection do not fit together (status {@link RpcStatus#FAILED_PRECONDITION}):
 * their {@code hello} frames differ in a field that must match ({@code docs/rpc.md} §4). Both sides
 * fail at once; each names both values. A client whose handshake failed stops: every call on it
 * fails with this exception. A responder fails only that connection and accepts the next one.
 */
public final class HandshakeException extends RpcException {
  private static final long serialVersionUID = 1L;

  /** The hello field that did not match, in the order both sides check them. */
  public enum Field {
    /** The peer's first frame was not a well-formed {@code hello} (or none came in time). */
    HELLO,
    /** {@code fc-version}: the protocol version. */
    VERSION,
    /** {@code fc-role}: two clients or two responders were connected. */
    ROLE,
    /** {@code fc-service}: the service name. */
    SERVICE,
    /** {@code fc-codec}: the codec of the payloads. */
    CODEC,
    /** {@code fc-heartbeat}: the peer sends heartbeats too rarely (or not at all) for this side's liveness timeout. */
    HEARTBEAT
  }

  private final Field field;
  private final String localValue;
  private final String remoteValue;
  private final boolean detectedByPeer;

  HandshakeException(Field field, String localValue, String remoteValue, boolean detectedByPeer, String peer,
      String detail) {
    super(RpcStatus.FAILED_PRECONDITION.code(), describe(field, localValue, remoteValue, detectedByPeer, peer, detail),
        null, 0, detectedByPeer, null);
    this.field = Objects.requireNonNull(field, "field");
    this.localValue = localValue;
    this.remoteValue = remoteValue;
    this.detectedByPeer = detectedByPeer;
  }

  private static String describe(Field field, String local, String remote, boolean byPeer, String peer, String detail) {
    String s = field.name().toLowerCase(java.util.Locale.ROOT) + " mismatch: this side has " + quote(local)
        + ", the peer has " + quote(remote);
    if (detail != null && !detail.isEmpty()) {
      s += " (" + detail + ")";
    }
    if (byPeer) {
      s += "; detected by the peer";
    }
    return peer == null ? s : s + " [" + peer + "]";
  }

  private static String quote(String v) {
    return v == null ? "nothing" : "'" + v + "'";
  }

  /** The field that did not match. */
  public Field field() {
    return field;
  }

  /**
   * This side's value of the field. For {@link Field#HEARTBEAT}: its liveness timeout in decimal
   * nanoseconds when this side found the mismatch; its own heartbeat interval (its {@code fc-heartbeat})
   * when the peer found it ({@link #detectedByPeer()}, and then {@link #remoteValue()} is null).
   */
  public String localValue() {
    return localValue;
  }

  /** The peer's value of the field, as it sent it; null if it sent none. */
  public String remoteValue() {
    return remoteValue;
  }

  /** True if the peer found the mismatch and told this side with an {@code error} frame. */
  public boolean detectedByPeer() {
    return detectedByPeer;
  }
}
