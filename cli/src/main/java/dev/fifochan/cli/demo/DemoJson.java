package dev.fifochan.cli.demo;

/**
 * The demo's message for the JSON phases, the same fields as the protobuf {@link DemoMessage}.
 *
 * @param seq sequence number (in an acknowledgement: how many messages the peer received)
 * @param sentNanos the sender's {@link System#nanoTime()} at sending (0 in the burst)
 * @param text filler, so that a message is about 100 bytes on the wire
 */
public record DemoJson(long seq, long sentNanos, String text) {}
