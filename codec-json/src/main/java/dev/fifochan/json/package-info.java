/**
 * The {@code json} codec for fifochan channels, built on Jackson: {@link dev.fifochan.json.JsonCodec}
 * for one type, any JSON tree, or several types told apart by type tags, and
 * {@link dev.fifochan.json.JsonCodecProvider}, which makes it discoverable by name.
 */
package dev.fifochan.json;
