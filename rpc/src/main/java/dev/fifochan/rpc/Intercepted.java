package dev.fifochan.rpc;

import dev.fifochan.ChannelInterceptor;
import dev.fifochan.Headers;

/** Calls an {@link RpcInterceptor} so that nothing it throws reaches a call: logged at WARNING, then ignored. */
final class Intercepted {
  private Intercepted() {}

  static RpcInterceptor.ClientCall clientCall(RpcInterceptor i, RpcInterceptor.CallInfo info) {
    try {
      return i.clientCall(info);
    } catch (RuntimeException e) {
      failed(i, "clientCall", info, e);
      return null;
    }
  }

  /** Adds the interceptor's headers to a call frame's, leaving every {@code fc-} key as the protocol set it. */
  static void addHeaders(RpcInterceptor.ClientCall c, Headers.Builder frame) {
    Headers extra;
    try {
      extra = c.headers();
    } catch (RuntimeException e) {
      failed(c, "headers", null, e);
      return;
    }
    if (extra == null || extra.isEmpty()) {
      return;
    }
    extra.forEach((key, value) -> {
      if (!key.startsWith("fc-")) {
        frame.put(key, value);
      }
    });
  }

  static void end(RpcInterceptor.ClientCall c, RpcException failure) {
    try {
      c.end(failure);
    } catch (RuntimeException e) {
      failed(c, "end", null, e);
    }
  }

  static RpcInterceptor.ServerCall serverCall(RpcInterceptor i, RpcInterceptor.CallInfo info, Headers headers) {
    try {
      return i.serverCall(info, headers);
    } catch (RuntimeException e) {
      failed(i, "serverCall", info, e);
      return null;
    }
  }

  static ChannelInterceptor.Scope enter(RpcInterceptor.ServerCall c) {
    try {
      return c.enter();
    } catch (RuntimeException e) {
      failed(c, "enter", null, e);
      return null;
    }
  }

  static void close(ChannelInterceptor.Scope s) {
    try {
      s.close();
    } catch (RuntimeException e) {
      failed(s, "close", null, e);
    }
  }

  static void end(RpcInterceptor.ServerCall c, int statusCode, Throwable failure) {
    try {
      c.end(statusCode, failure);
    } catch (RuntimeException e) {
      failed(c, "end", null, e);
    }
  }

  private static void failed(Object who, String method, RpcInterceptor.CallInfo info, RuntimeException e) {
    Link.LOG.log(System.Logger.Level.WARNING, "rpc interceptor " + who + "." + method + " failed"
        + (info == null ? "" : " for " + info) + "; ignored", e);
  }
}
