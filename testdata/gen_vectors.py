#!/usr/bin/env python3
"""Regenerates testdata/vectors/*.bin and *.json for fifochan wire format v1.

Standard library only; this file is also a reference encoder for docs/wire-format.md.
Run from anywhere: python3 testdata/gen_vectors.py
"""
import json
import os
import struct

MAGIC = b"\x89FCH"
END_OF_STREAM, CHECKSUM = 0x01, 0x02
DEFAULT_MAX = 16 * 1024 * 1024
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors")


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def preamble(codec: str) -> bytes:
    name = codec.encode("ascii")
    return MAGIC + bytes([1, len(name)]) + name


def frame(payload: bytes, tag: str = "", checksum: bool = False, flags: int = 0) -> bytes:
    t = tag.encode("utf-8")
    flags |= CHECKSUM if checksum else 0
    body = struct.pack(">IBB", len(payload), flags, len(t)) + t + payload
    return body + (struct.pack(">I", crc32c(body)) if checksum else b"")


def eos(checksum: bool = False) -> bytes:
    return frame(b"", flags=END_OF_STREAM, checksum=checksum)


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_field(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def pb_ping(seq: int, text: str) -> bytes:
    """fifochan.interop.Ping {int64 seq = 1; string text = 2}, canonical proto3: defaults omitted."""
    out = b""
    if seq:
        out += pb_field(1, 0) + varint(seq)
    if text:
        t = text.encode()
        out += pb_field(2, 2) + varint(len(t)) + t
    return out


def pb_pong(seq: int, payload: bytes) -> bytes:
    """fifochan.interop.Pong {int64 seq = 1; bytes payload = 2}, canonical proto3: defaults omitted."""
    out = b""
    if seq:
        out += pb_field(1, 0) + varint(seq)
    if payload:
        out += pb_field(2, 2) + varint(len(payload)) + payload
    return out


class Vector:
    """Builds a stream and the records a reader must report for it."""

    def __init__(self, name, description, max_frame_length=DEFAULT_MAX):
        self.name, self.description, self.max = name, description, max_frame_length
        self.data, self.records, self.codec = bytearray(), [], None

    def preamble(self, codec):
        self.codec = codec
        self.records.append({"kind": "preamble", "offset": len(self.data), "codec": codec})
        self.data += preamble(codec)
        return self

    def frame(self, payload, tag="", checksum=False, value=None):
        rec = {"kind": "frame", "offset": len(self.data), "flags": CHECKSUM if checksum else 0,
               "tag": tag, "payload_hex": payload.hex()}
        if value is not None:
            rec["value"] = value
        self.records.append(rec)
        self.data += frame(payload, tag, checksum)
        return self

    def text(self, s, tag="", checksum=False):
        return self.frame(s.encode(), tag, checksum, value=s)

    def json(self, v, tag="", checksum=False):
        return self.frame(json.dumps(v, separators=(",", ":")).encode(), tag, checksum, value=v)

    def eos(self, checksum=False):
        self.records.append({"kind": "end", "offset": len(self.data),
                             "flags": END_OF_STREAM | (CHECKSUM if checksum else 0)})
        self.data += eos(checksum)
        return self

    def raw(self, b):
        self.data += b
        return self

    def write(self, outcome=None):
        outcome = outcome or {"status": "clean"}
        with open(os.path.join(OUT, self.name + ".bin"), "wb") as f:
            f.write(self.data)
        doc = {"description": self.description, "max_frame_length": self.max,
               "records": self.records, "outcome": outcome}
        with open(os.path.join(OUT, self.name + ".json"), "w") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")


def error(kind, offset):
    return {"status": "error", "error": kind, "offset": offset}


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))

    Vector("string-hi", "the first worked example: one string frame, clean close") \
        .preamble("string").text("hi").eos().write()
    Vector("string-tag-checksum", "the second worked example: a tagged frame and end-of-stream with CRC-32C") \
        .preamble("string").text("hi", tag="greeting", checksum=True).eos(checksum=True).write()
    Vector("string-utf8", "multi-byte UTF-8 in payload and tag, an empty string") \
        .preamble("string").text("grüße, 世界 🙂", tag="größe").text("").eos().write()
    Vector("bytes-binary", "bytes codec: empty payload, every byte value, mixed checksum flags") \
        .preamble("bytes").frame(b"").frame(bytes(range(256)), checksum=True) \
        .frame(b"\x89FCH", tag="looks-like-magic").eos().write()
    Vector("bytes-large", "one 70000-byte payload, larger than a pipe's 64 KiB buffer") \
        .preamble("bytes").frame(bytes((i * 7) & 0xFF for i in range(70000)), checksum=True).eos().write()
    Vector("json-multitype", "json codec with two type tags on one channel, checksums on") \
        .preamble("json") \
        .json({"id": 1, "item": "book", "qty": 2}, tag="order", checksum=True) \
        .json({"id": 1, "reason": "changed mind"}, tag="cancel", checksum=True) \
        .json([1, 2.5, None, True, "x"], tag="order", checksum=True) \
        .eos(checksum=True).write()
    Vector("protobuf-multitype", "protobuf codec, tags are full message names (schema: testdata/proto/interop.proto)") \
        .preamble("protobuf") \
        .frame(pb_ping(1, "hello"), tag="fifochan.interop.Ping", value={"seq": "1", "text": "hello"}) \
        .frame(pb_pong(1, b"\x00\x01\x02"), tag="fifochan.interop.Pong", value={"seq": "1", "payload": "AAEC"}) \
        .frame(pb_ping(300, ""), tag="fifochan.interop.Ping", value={"seq": "300"}) \
        .frame(b"", tag="fifochan.interop.Pong", value={}) \
        .eos().write()
    Vector("writer-restart", "a writer closes cleanly and a second writer opens before the reader sees end of file; one clean stream") \
        .preamble("json").json({"n": 1}).eos() \
        .preamble("json").json({"n": 2}).eos().write()
    Vector("fan-in", "two writers interleave whole records (fan-in); clean once both ended") \
        .preamble("string").text("a1").preamble("string").text("b1").text("a2") \
        .eos().text("b2").eos().write()

    v = Vector("truncated-mid-frame", "a writer died in the middle of a frame's payload")
    v.preamble("string").text("complete")
    at = len(v.data)
    v.raw(frame(b"incomplete")[:-4]).write(error("truncated", at))
    v = Vector("truncated-no-end", "a writer died at a frame boundary without sending end-of-stream")
    v.preamble("string").text("complete")
    v.write(error("truncated", len(v.data)))
    v = Vector("truncated-in-preamble", "end of file inside a preamble")
    v.raw(preamble("string")[:7]).write(error("truncated", 0))
    Vector("truncated-empty", "end of file before any byte: a writer that opened and vanished").write(error("truncated", 0))
    v = Vector("truncated-in-header", "end of file inside a frame header")
    v.preamble("bytes").raw(b"\x00\x00\x00\x05\x00").write(error("truncated", 11))

    v = Vector("corrupt-reserved-flag", "a reserved flag bit is set")
    v.preamble("bytes").frame(b"ok").raw(frame(b"x", flags=0x04)).write(error("corrupt", 19))
    v = Vector("corrupt-no-writer", "a frame before any preamble (also what random garbage usually hits first)")
    v.raw(b"hello world\n").write(error("corrupt", 0))
    v = Vector("corrupt-after-end", "a frame after the only writer's end-of-stream")
    v.preamble("bytes").eos().raw(frame(b"late")).write(error("corrupt", 17))
    v = Vector("corrupt-end-with-payload", "an end-of-stream frame that carries a payload")
    v.preamble("bytes").raw(frame(b"x", flags=END_OF_STREAM)).write(error("corrupt", 11))
    v = Vector("corrupt-top-bit-length", "a length with the top bit set that is not the magic")
    v.preamble("bytes").raw(b"\x80\x00\x00\x01\x00\x00x").write(error("corrupt", 11))
    v = Vector("corrupt-codec-name", "a preamble whose codec name is empty")
    v.raw(MAGIC + b"\x01\x00").write(error("corrupt", 0))
    v = Vector("checksum-mismatch", "the payload was altered after the CRC-32C was computed")
    bad = bytearray(frame(b"payload", checksum=True))
    bad[7] ^= 0x20
    v.preamble("bytes").frame(b"good", checksum=True).raw(bytes(bad)).write(error("checksum", 25))
    v = Vector("too-long", "a length above the reader's maximum (1024 in this vector), checked before allocation",
               max_frame_length=1024)
    v.preamble("bytes").frame(b"a" * 1024).raw(b"\x7f\xff\xff\xff\x00\x00").write(error("too_long", 1041))
    v = Vector("incompatible-version", "a preamble announcing version 2")
    v.raw(MAGIC + b"\x02\x05bytes").write(error("incompatible", 0))


if __name__ == "__main__":
    main()
