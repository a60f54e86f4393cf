package dev.fifochan.rpc;

import dev.fifochan.ChannelInterceptor;
import dev.fifochan.Headers;

/**
 * Observes the calls of an {@link RpcClient} ({@link RpcClient.Builder#interceptor}) or an
 * {@link RpcResponder} ({@link RpcResponder.Builder#interceptor}): the seam for tracing. A tracing
 * interceptor starts a client span for each call and injects its context into the {@code call} frame's
 * headers (keys that do not start with {@code fc-}, such as W3C {@code traceparent}); the responder
 * extracts it, starts a server span, and makes it current while the handler runs. Every method has a
 * default that does nothing.
 *
 * <h2>Client</h2>
 * {@link #clientCall} is called on the calling thread when {@code call} or {@code callStream} begins,
 * before the call waits for a connection; {@link ClientCall#headers()} on the same thread just before
 * the request frame is encoded (not at all if the call failed before that); {@link ClientCall#end}
 * exactly once when the call ends, on whatever thread ends it (the connection's reader, the timer, a
 * canceller).
 *
 * <h2>Responder</h2>
 * {@link #serverCall} is called on the connection's reader thread when a {@code call} frame arrives and
 * the responder has decided to run it or to refuse it (an unknown operation, an undecodable request, too
 * many calls, shutting down: then {@link ServerCall#end} follows at once with the status). For a call
 * that runs, {@link ServerCall#enter()} is called on the handler's thread right before the handler and
 * its scope closed when the handler returns; {@link ServerCall#end} is called exactly once when the call
 * ends: its answer written (or given up), or the call cancelled (by the client, its deadline, the
 * connection's loss), whichever comes first, on the thread that ended it.
 *
 * <h2>Rules</h2>
 * An interceptor must be thread-safe and quick, and must not throw: a {@link RuntimeException} it throws
 * is logged at WARNING (logger {@code dev.fifochan.rpc}) and otherwise ignored, and the call goes on as if
 * it had returned null. Headers it returns under a key starting with {@code fc-} are ignored (those keys
 * are the protocol's). Notifications and the protocol's control frames are not intercepted.
 */
public interface RpcInterceptor {

  /**
   * A call begins at the client.
   *
   * @return this call's observer, or null to leave it alone
   */
  default ClientCall clientCall(CallInfo call) {
    return null;
  }

  /**
   * A call arrived at the responder.
   *
   * @param headers the {@code call} frame's headers (an immutable copy: {@code fc-*} keys and the
   *     application's, e.g. {@code traceparent})
   * @return this call's observer, or null to leave it alone
   */
  default ServerCall serverCall(CallInfo call, Headers headers) {
    return null;
  }

  /** One call at the client. */
  interface ClientCall {
    /** Headers to add to the {@code call} frame, or null. */
    default Headers headers() {
      return null;
    }

    /**
     * The call ended, once.
     *
     * @param failure null if it succeeded (a reply, or {@code done} for a stream); else how it failed (its
     *     {@link RpcException#status()}, {@link RpcException#isRemote()})
     */
    void end(RpcException failure);
  }

  /** One call at the responder. */
  interface ServerCall {
    /** Entered on the handler's thread right before the handler runs; the scope is closed when it returns. */
    default ChannelInterceptor.Scope enter() {
      return null;
    }

    /**
     * The call ended, once.
     *
     * @param statusCode 0 ({@link RpcStatus#OK}) if its reply or {@code done} was written; else the status of
     *     the error sent, of the refusal, or of the cancellation
     * @param failure what the handler threw, if it threw; else null
     */
    void end(int statusCode, Throwable failure);
  }

  /** What an interceptor is told about a call. Immutable. */
  final class CallInfo {
    private final String service;
    private final String operation;
    private final long callId;
    private final boolean streaming;
    private final String peer;

    CallInfo(String service, String operation, long callId, boolean streaming, String peer) {
      this.service = service;
      this.operation = operation;
      this.callId = callId;
      this.streaming = streaming;
      this.peer = peer;
    }

    /** The service ({@link RpcConfig#service()}). */
    public String service() {
      return service;
    }

    /** The operation ({@code fc-op}, or the request's type tag). */
    public String operation() {
      return operation;
    }

    /** The call's correlation id ({@code fc-id}). */
    public long callId() {
      return callId;
    }

    /** Whether it is a server-streaming call. */
    public boolean streaming() {
      return streaming;
    }

    /**
     * The transport's description of the connection the call arrived on (responder), or of the client's
     * connector (client), e.g. the FIFO pair's paths.
     */
    public String peer() {
      return peer;
    }

    @Override
    public String toString() {
      return "call " + callId + " " + service + "/" + operation + (streaming ? " (stream)" : "");
    }
  }
}
