package dev.fifochan.nats;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** JetStream set-up shared by senders and receivers: the stream and the consumer. */
final class NatsStreams {
  private NatsStreams() {}

  static JetStream prepareForPublishing(Connection nc, String subject, NatsOptions o) throws IOException {
    ensureStream(nc, subject, o);
    return nc.jetStream(JetStreamOptions.builder().requestTimeout(o.publishTimeout()).build());
  }

  /** Makes sure the stream exists (creating it if allowed); returns its name. */
  static String ensureStream(Connection nc, String subject, NatsOptions o) throws IOException {
    String name = o.streamFor(subject);
    JetStreamManagement jsm = nc.jetStreamManagement();
    try {
      StreamInfo info = jsm.getStreamInfo(name);
      return info.getConfiguration().getName();
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != 10059 && e.getErrorCode() != 404) {
        throw new IOException("JetStream stream " + name + ": " + e.getMessage(), e);
      }
    }
    if (!o.createStream()) {
      throw new IOException("JetStream stream " + name + " does not exist (NatsOptions.createStream is off)");
    }
    StreamConfiguration sc = StreamConfiguration.builder().name(name).subjects(subject)
        .storageType(o.memoryStorage() ? StorageType.Memory : StorageType.File).replicas(o.replicas())
        .duplicateWindow(o.dedupWindow()).build();
    try {
      jsm.addStream(sc);
    } catch (JetStreamApiException e) {
      // made by another process meanwhile (10058: name in use with the same config is fine)
      try {
        jsm.getStreamInfo(name);
      } catch (JetStreamApiException again) {
        throw new IOException("cannot create JetStream stream " + name + " for " + subject + ": " + e.getMessage(), e);
      }
    }
    return name;
  }

  /** The consumer's configuration for a receiver. */
  static ConsumerConfiguration consumer(String subject, NatsOptions o) {
    ConsumerConfiguration.Builder b = ConsumerConfiguration.builder().ackPolicy(AckPolicy.Explicit).ackWait(o.ackWait())
        .filterSubject(subject).maxAckPending(Math.max(1024, o.maxInFlight() * 2L));
    if (o.durable() != null) {
      b.durable(o.durable());
    } else {
      b.inactiveThreshold(Duration.ofMinutes(5));
    }
    NatsOptions.Replay r = o.replay();
    switch (r.kind) {
      case "all":
        b.deliverPolicy(DeliverPolicy.All);
        break;
      case "sequence":
        b.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(r.value);
        break;
      case "time":
        b.deliverPolicy(DeliverPolicy.ByStartTime)
            .startTime(ZonedDateTime.ofInstant(Instant.ofEpochMilli(r.value), ZoneOffset.UTC));
        break;
      default:
        b.deliverPolicy(DeliverPolicy.New);
    }
    return b.build();
  }
}
