package dev.fifochan.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import dev.fifochan.ChannelConfig;
import dev.fifochan.Codec;
import dev.fifochan.Codecs;
import dev.fifochan.EncodeException;
import dev.fifochan.Receiver;
import dev.fifochan.Sender;
import dev.fifochan.fifo.Fifo;
import dev.fifochan.fifo.FifoOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link JsonCodec#of(Class)}'s standard mapper: java.time, Optional and records through a real FIFO. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JsonDefaultsTest {
  record Reading(String sensor, Instant at, LocalDate day, OffsetDateTime local, Optional<String> note,
      OptionalInt floor, Duration window) {}

  /** Not a record: constructor parameters found by name (compiled with -parameters) without annotations. */
  static final class Shipment {
    private final long id;
    private final LocalDate due;

    public Shipment(long id, LocalDate due) {
      this.id = id;
      this.due = due;
    }

    public long getId() {
      return id;
    }

    public LocalDate getDue() {
      return due;
    }
  }

  static final Reading FULL = new Reading("t-1", Instant.parse("2026-11-29T10:15:30.123456789Z"),
      LocalDate.of(2026, 11, 29), OffsetDateTime.of(2026, 11, 29, 11, 15, 30, 0, ZoneOffset.ofHours(1)),
      Optional.of("calibrated"), OptionalInt.of(3), Duration.ofMillis(1500));
  static final Reading EMPTY = new Reading("t-2", Instant.EPOCH, LocalDate.of(1970, 1, 1),
      OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), Optional.empty(), OptionalInt.empty(), Duration.ZERO);

  /** A peer that writes JSON text it made itself, announcing the json codec. */
  static final Codec<String> JSON_TEXT = new Codec<>() {
    @Override
    public String name() {
      return JsonCodec.NAME;
    }

    @Override
    public void encode(String value, dev.fifochan.PayloadSink sink) throws IOException {
      byte[] b = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      sink.write(b, 0, b.length);
    }

    @Override
    public String decode(String tag, java.nio.ByteBuffer payload) {
      throw new UnsupportedOperationException();
    }
  };

  @TempDir Path dir;

  private <T, R> List<R> throughFifo(Codec<T> sendCodec, Codec<R> receiveCodec, List<T> values) throws Exception {
    Path fifo = Fifo.create(dir.resolve("readings-" + System.nanoTime()));
    FifoOptions options = FifoOptions.builder().openTimeout(Duration.ofSeconds(20)).build();
    CompletableFuture<List<R>> received = CompletableFuture.supplyAsync(() -> {
      List<R> got = new ArrayList<>();
      try (Receiver<R> rx = Fifo.openReceiver(fifo, receiveCodec, ChannelConfig.defaults(), options)) {
        for (R r : rx) {
          got.add(r);
        }
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
      return got;
    });
    try (Sender<T> tx = Fifo.openSender(fifo, sendCodec, ChannelConfig.defaults(), options)) {
      for (T v : values) {
        tx.send(v);
      }
    }
    return received.get(30, TimeUnit.SECONDS);
  }

  @Test
  void aRecordOfJavaTimeAndOptionalsRoundTripsThroughAFifo() throws Exception {
    assertEquals(List.of(FULL, EMPTY), throughFifo(JsonCodec.of(Reading.class), JsonCodec.of(Reading.class),
        List.of(FULL, EMPTY)));
  }

  @Test
  void datesAndDurationsTravelAsIsoStringsAndEmptyOptionalsAsNull() throws Exception {
    // a plain string reader accepts a json writer (wire format §2.7): the text as a peer in any language sees it
    List<String> text = throughFifo(JsonCodec.of(Reading.class), Codecs.string(), List.of(FULL, EMPTY));
    assertEquals("{\"sensor\":\"t-1\",\"at\":\"2026-11-29T10:15:30.123456789Z\",\"day\":\"2026-11-29\","
        + "\"local\":\"2026-11-29T11:15:30+01:00\",\"note\":\"calibrated\",\"floor\":3,\"window\":\"PT1.5S\"}",
        text.get(0));
    assertEquals("{\"sensor\":\"t-2\",\"at\":\"1970-01-01T00:00:00Z\",\"day\":\"1970-01-01\","
        + "\"local\":\"1970-01-01T00:00:00Z\",\"note\":null,\"floor\":null,\"window\":\"PT0S\"}", text.get(1));
  }

  @Test
  void isoTextFromAnotherWriterDecodesAndAbsentOptionalsAreEmpty() throws Exception {
    String fromPeer = "{\"sensor\":\"go\",\"at\":\"2026-11-29T10:15:30Z\",\"day\":\"2026-11-29\","
        + "\"local\":\"2026-11-29T12:15:30+02:00\",\"window\":\"PT2M\"}";
    List<Reading> got = throughFifo(JSON_TEXT, JsonCodec.of(Reading.class), List.of(fromPeer));
    assertEquals(new Reading("go", Instant.parse("2026-11-29T10:15:30Z"), LocalDate.of(2026, 11, 29),
        OffsetDateTime.of(2026, 11, 29, 12, 15, 30, 0, ZoneOffset.ofHours(2)), Optional.empty(), OptionalInt.empty(),
        Duration.ofMinutes(2)), got.get(0));
  }

  @Test
  void taggedTypesUseTheStandardMapperToo() throws Exception {
    Codec<Object> codec = JsonCodec.builder().register("reading", Reading.class).register("shipment", Shipment.class)
        .build();
    List<Object> got = throughFifo(codec, codec, List.of(FULL, new Shipment(7, LocalDate.of(2027, 1, 2))));
    assertEquals(FULL, got.get(0));
    Shipment s = assertInstanceOf(Shipment.class, got.get(1));
    assertEquals(7, s.getId());
    assertEquals(LocalDate.of(2027, 1, 2), s.getDue());
  }

  @Test
  void theCallersMapperIsUsedAsItIs() {
    EncodeException e = assertThrows(EncodeException.class, () -> Codecs.encodeToBytes(
        JsonCodec.of(Reading.class, new ObjectMapper()), FULL));
    assertInstanceOf(InvalidDefinitionException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("jsr310"), e.getCause().getMessage());
  }

  @Test
  void standardMapperReturnsAFreshCopyEachTime() {
    ObjectMapper a = JsonCodec.standardMapper();
    assertTrue(a != JsonCodec.standardMapper());
    assertTrue(a.getRegisteredModuleIds().size() >= 3, a.getRegisteredModuleIds().toString());
  }
}
