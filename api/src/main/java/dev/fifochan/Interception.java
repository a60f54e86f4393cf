package dev.fifochan;

import dev.fifochan.internal.HeaderList;
import java.util.List;

/**
 * Calls a channel's {@link ChannelInterceptor}s by their rules: in order (after-send and scope closing
 * in reverse), every {@link RuntimeException} logged and ignored, headers merged or (wire format 1.0)
 * dropped. Only reached when interceptors are configured.
 */
final class Interception {
  private static final System.Logger LOG = System.getLogger("dev.fifochan.ChannelInterceptor");

  private Interception() {}

  /** The configured interceptors as an array, or null when there are none (the one check on the hot path). */
  static ChannelInterceptor[] of(ChannelConfig config) {
    List<ChannelInterceptor> list = config.interceptors();
    return list.isEmpty() ? null : list.toArray(new ChannelInterceptor[0]);
  }

  /**
   * Calls every {@code beforeSend}; returns the headers to send: the caller's, with the interceptors'
   * merged in when the channel allows headers.
   */
  static Headers beforeSend(ChannelInterceptor[] all, ChannelInfo channel, Object message, Headers headers) {
    Headers result = headers;
    for (ChannelInterceptor i : all) {
      Headers extra;
      try {
        extra = i.beforeSend(channel, message, headers);
      } catch (RuntimeException e) {
        failed(i, "beforeSend", channel, e);
        continue;
      }
      if (extra == null || extra.isEmpty() || !channel.headersAllowed()) {
        continue; // wire format 1.0: no header can be sent, dropped without an error
      }
      String reserved = reservedKey(extra);
      if (reserved != null) {
        failed(i, "beforeSend", channel, new IllegalArgumentException("an interceptor returned the reserved header key " + reserved));
        continue;
      }
      result = HeaderList.merge(result, extra);
    }
    return result;
  }

  private static String reservedKey(Headers h) {
    for (String k : h.keys()) {
      if (k.startsWith("fc-")) {
        return k;
      }
    }
    return null;
  }

  /** Calls every {@code afterSend}, last interceptor first. */
  static void afterSend(ChannelInterceptor[] all, ChannelInfo channel, Object message, long result, Throwable failure) {
    for (int n = all.length - 1; n >= 0; n--) {
      try {
        all[n].afterSend(channel, message, result, failure);
      } catch (RuntimeException e) {
        failed(all[n], "afterSend", channel, e);
      }
    }
  }

  /** Calls every {@code afterReceive}. */
  static void afterReceive(ChannelInterceptor[] all, ChannelInfo channel, Object message, Headers headers) {
    for (ChannelInterceptor i : all) {
      try {
        i.afterReceive(channel, message, headers);
      } catch (RuntimeException e) {
        failed(i, "afterReceive", channel, e);
      }
    }
  }

  /**
   * Opens every interceptor's scope; returns what {@link #close} closes: null (none), one
   * {@link ChannelInterceptor.Scope}, or an array of them (several interceptors).
   */
  static Object openScopes(ChannelInterceptor[] all, ChannelInfo channel, Object message, Headers headers) {
    if (all.length == 1) {
      return open(all[0], channel, message, headers);
    }
    ChannelInterceptor.Scope[] scopes = null;
    for (int n = 0; n < all.length; n++) {
      ChannelInterceptor.Scope s = open(all[n], channel, message, headers);
      if (s != null) {
        if (scopes == null) {
          scopes = new ChannelInterceptor.Scope[all.length];
        }
        scopes[n] = s;
      }
    }
    return scopes;
  }

  private static ChannelInterceptor.Scope open(ChannelInterceptor i, ChannelInfo channel, Object message, Headers headers) {
    try {
      return i.openScope(channel, message, headers);
    } catch (RuntimeException e) {
      failed(i, "openScope", channel, e);
      return null;
    }
  }

  /** Closes what {@link #openScopes} opened, the last one first. */
  static void close(Object scopes, ChannelInfo channel) {
    if (scopes == null) {
      return;
    }
    if (scopes instanceof ChannelInterceptor.Scope) {
      closeOne((ChannelInterceptor.Scope) scopes, channel);
      return;
    }
    ChannelInterceptor.Scope[] all = (ChannelInterceptor.Scope[]) scopes;
    for (int n = all.length - 1; n >= 0; n--) {
      if (all[n] != null) {
        closeOne(all[n], channel);
      }
    }
  }

  private static void closeOne(ChannelInterceptor.Scope s, ChannelInfo channel) {
    try {
      s.close();
    } catch (RuntimeException e) {
      failed(s, "Scope.close", channel, e);
    }
  }

  private static void failed(Object who, String method, ChannelInfo channel, RuntimeException e) {
    LOG.log(System.Logger.Level.WARNING, "interceptor " + who + " threw from " + method + " on " + channel.name()
        + " (ignored)", e);
  }
}
