#!/usr/bin/env python3
"""Regenerates testdata/vectors/*.bin and *.json for fifochan wire format 1.1 (docs/wire-format.md).

Standard library only; this file is also a reference encoder. The JSON shape is defined in
testdata/vectors/README.md. Expected values, errors and outcomes are written out by hand here
(never computed by a decoder), so that testdata/peer.py, which decodes, checks something.
Run from anywhere: python3 testdata/gen_vectors.py
"""
import json
import os
import struct

MAGIC = b"\x89FCH"
END_OF_STREAM, CHECKSUM, HEADERS, ABORTED, HEARTBEAT = 0x01, 0x02, 0x04, 0x08, 0x10
DEFAULT_MAX = 16 * 1024 * 1024
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors")
KEEP = {"README.md"}  # files in OUT that are not generated


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


def preamble(codec, version=1) -> bytes:
    name = codec.encode("ascii") if isinstance(codec, str) else codec
    return MAGIC + bytes([version, len(name)]) + name


def header_block(headers) -> bytes:
    """headers: list of (key, value) as str or bytes; no validation (bad blocks are built on purpose)."""
    out = b""
    for k, v in headers:
        k = k.encode("ascii") if isinstance(k, str) else k
        v = v.encode("utf-8") if isinstance(v, str) else v
        out += bytes([len(k)]) + k + struct.pack(">H", len(v)) + v
    return out


def frame(payload: bytes, tag=b"", checksum=False, flags=0, block=None) -> bytes:
    """Any record but a preamble. block: the raw header block (sets HEADERS), or None."""
    t = tag.encode("utf-8") if isinstance(tag, str) else tag
    flags |= CHECKSUM if checksum else 0
    flags |= HEADERS if block is not None else 0
    body = struct.pack(">IBB", len(payload), flags, len(t)) + t
    if block is not None:
        body += struct.pack(">H", len(block)) + block
    body += payload
    return body + (struct.pack(">I", crc32c(body)) if checksum else b"")


def eos(checksum=False) -> bytes:
    return frame(b"", flags=END_OF_STREAM, checksum=checksum)


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
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


PING, PONG = "fifochan.interop.Ping", "fifochan.interop.Pong"
NONE = object()  # "no value field"


class Vector:
    """Builds a stream and the records a reader configured with `codec` and `max_len` must report."""

    def __init__(self, name, description, codec="bytes", max_len=DEFAULT_MAX):
        self.name, self.description = name, description
        self.reader = {"codec": codec, "max_frame_length": max_len}
        self.data, self.records = bytearray(), []

    @property
    def off(self):
        return len(self.data)

    def preamble(self, codec, version=1):
        self.records.append({"kind": "preamble", "offset": self.off, "version": version, "codec": codec})
        self.data += preamble(codec, version)
        return self

    def frame(self, payload, tag="", checksum=False, headers=None, value=NONE, error=None, block=None):
        """A message frame. headers: list of (key, value) pairs (valid ones); block: a raw header
        block for bad_headers / bad_tag cases. value: the decoded value (NONE: no value field)."""
        flags = CHECKSUM if checksum else 0
        if headers is not None and block is None:
            block = header_block(headers)
        if block is not None:
            flags |= HEADERS
        rec = {"kind": "frame", "offset": self.off, "flags": flags}
        tag_bytes = tag.encode("utf-8") if isinstance(tag, str) else tag
        if isinstance(tag, str):
            rec["tag"] = tag
        else:
            rec["tag_hex"] = tag.hex()
        if block is not None:
            if error in ("bad_tag", "bad_headers"):
                rec["headers_hex"] = block.hex()
            else:
                rec["headers"] = [{"key": k, "value_hex": (v.encode() if isinstance(v, str) else v).hex()}
                                  for k, v in headers]
        rec["payload_hex"] = payload.hex()
        if value is not NONE:
            rec["value"] = value
        if error:
            rec["error"] = error
        self.records.append(rec)
        self.data += frame(payload, tag_bytes, checksum, block=block)
        return self

    def text(self, s, tag="", checksum=False, headers=None):
        return self.frame(s.encode(), tag, checksum, headers, value=s)

    def json(self, v, tag="", checksum=False, headers=None):
        return self.frame(json.dumps(v, separators=(",", ":")).encode(), tag, checksum, headers, value=v)

    def eos(self, checksum=False):
        self.records.append({"kind": "end", "offset": self.off,
                             "flags": END_OF_STREAM | (CHECKSUM if checksum else 0)})
        self.data += eos(checksum)
        return self

    def aborted(self, reason, checksum=False, shown=None):
        """An aborted end. reason: str (UTF-8) or raw bytes with `shown` the text a reader reports."""
        raw = reason.encode("utf-8") if isinstance(reason, str) else reason
        self.records.append({"kind": "aborted", "offset": self.off,
                             "flags": END_OF_STREAM | ABORTED | (CHECKSUM if checksum else 0),
                             "reason": reason if shown is None else shown, "payload_hex": raw.hex()})
        self.data += frame(raw, flags=END_OF_STREAM | ABORTED, checksum=checksum)
        return self

    def heartbeat(self, checksum=False):
        self.records.append({"kind": "heartbeat", "offset": self.off,
                             "flags": HEARTBEAT | (CHECKSUM if checksum else 0)})
        self.data += frame(b"", flags=HEARTBEAT, checksum=checksum)
        return self

    def raw(self, b):
        self.data += b
        return self

    def fail(self, b, kind, **extra):
        """Appends the bytes of a broken record and writes the vector with the error at its first byte."""
        at = self.off
        self.raw(b).write(error(kind, at, **extra))

    def write(self, outcome=None):
        outcome = outcome or {"status": "clean", "offset": self.off}
        if self.name in _written:
            raise SystemExit("duplicate vector " + self.name)
        _written.add(self.name)
        with open(os.path.join(OUT, self.name + ".bin"), "wb") as f:
            f.write(self.data)
        doc = {"description": self.description, "reader": self.reader,
               "records": self.records, "outcome": outcome}
        with open(os.path.join(OUT, self.name + ".json"), "w") as f:
            json.dump(doc, f, indent=2, ensure_ascii=False)
            f.write("\n")


_written = set()


def error(kind, offset, **extra):
    return {"status": "error", "error": kind, "offset": offset, **extra}


def aborted_outcome(offset, reason):
    return {"status": "error", "error": "aborted", "offset": offset, "reason": reason}


def v11(name, description, codec="bytes", max_len=DEFAULT_MAX, stream_codec=None):
    """A vector that starts with a version-2 (format 1.1) preamble."""
    return Vector(name, description, codec, max_len).preamble(stream_codec or codec, 2)


def vectors_1_0():
    """The 1.0 vectors. Their .bin files are those of format 1.0 byte for byte, except
    incompatible-version (version byte 02 -> 03: 02 is format 1.1 now)."""
    Vector("string-hi", "the first worked example: one string frame, clean close", "string") \
        .preamble("string").text("hi").eos().write()
    Vector("string-tag-checksum", "the second worked example: a tagged frame and end-of-stream with CRC-32C",
           "string").preamble("string").text("hi", tag="greeting", checksum=True).eos(checksum=True).write()
    Vector("string-utf8", "multi-byte UTF-8 in payload and tag, an empty string", "string") \
        .preamble("string").text("grüße, 世界 🙂", tag="größe").text("").eos().write()
    Vector("bytes-binary", "bytes codec: empty payload, every byte value, checksum flag set on one frame only"
           " (decision 9: the flag is per record)") \
        .preamble("bytes").frame(b"").frame(bytes(range(256)), checksum=True) \
        .frame(b"\x89FCH", tag="looks-like-magic").eos().write()
    Vector("bytes-large", "one 70000-byte payload, larger than a pipe's 64 KiB buffer") \
        .preamble("bytes").frame(bytes((i * 7) & 0xFF for i in range(70000)), checksum=True).eos().write()
    Vector("json-multitype", "json codec with two type tags on one channel, checksums on", "json") \
        .preamble("json") \
        .json({"id": 1, "item": "book", "qty": 2}, tag="order", checksum=True) \
        .json({"id": 1, "reason": "changed mind"}, tag="cancel", checksum=True) \
        .json([1, 2.5, None, True, "x"], tag="order", checksum=True) \
        .eos(checksum=True).write()
    Vector("protobuf-multitype", "protobuf codec, tags are full message names (schema: testdata/proto/interop.proto)",
           "protobuf").preamble("protobuf") \
        .frame(pb_ping(1, "hello"), tag=PING, value={"seq": "1", "text": "hello"}) \
        .frame(pb_pong(1, b"\x00\x01\x02"), tag=PONG, value={"seq": "1", "payload": "AAEC"}) \
        .frame(pb_ping(300, ""), tag=PING, value={"seq": "300"}) \
        .frame(b"", tag=PONG, value={}) \
        .eos().write()
    Vector("writer-restart", "a writer closes cleanly and a second writer opens before the reader sees end of file;"
           " one clean stream, offsets go on counting in this reader session (decision 12)", "json") \
        .preamble("json").json({"n": 1}).eos() \
        .preamble("json").json({"n": 2}).eos().write()
    Vector("fan-in", "two writers interleave whole records (fan-in); clean once both ended", "string") \
        .preamble("string").text("a1").preamble("string").text("b1").text("a2") \
        .eos().text("b2").eos().write()

    v = Vector("truncated-mid-frame", "a writer died in the middle of a frame's payload", "string")
    v.preamble("string").text("complete")
    at = v.off
    v.raw(frame(b"incomplete")[:-4]).write(error("truncated", at))
    v = Vector("truncated-no-end", "a writer died at a frame boundary without sending end-of-stream", "string")
    v.preamble("string").text("complete")
    v.write(error("truncated", v.off))
    v = Vector("truncated-in-preamble", "end of file inside a preamble's codec name", "string")
    v.raw(preamble("string")[:7]).write(error("truncated", 0))
    Vector("truncated-empty", "end of file before any byte: a writer that opened and vanished", "string") \
        .write(error("truncated", 0))
    v = Vector("truncated-in-header", "end of file after the flags byte, before tag-len: the two bytes are read"
               " together (decision 2)")
    v.preamble("bytes").raw(b"\x00\x00\x00\x05\x00").write(error("truncated", 11))

    v = Vector("corrupt-reserved-flag", "flag 0x04 (HEADERS since 1.1) in a version-1 session is a reserved bit")
    v.preamble("bytes").frame(b"ok").fail(frame(b"x", flags=0x04), "corrupt")
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
               max_len=1024)
    v.preamble("bytes").frame(b"a" * 1024).raw(b"\x7f\xff\xff\xff\x00\x00").write(error("too_long", 1041))
    v = Vector("incompatible-version", "a preamble announcing version 3 (unknown to format 1.1)")
    v.raw(MAGIC + b"\x03\x05bytes").write(error("incompatible", 0, cause="version"))


def vectors_preamble():
    """Decisions 1, 3, 11: one check order for the preamble; codec acceptance."""
    Vector("preamble-v11", "a format 1.1 writer that uses no 1.1 feature still announces version 2", "string") \
        .preamble("string", 2).text("hi").eos().write()
    Vector("corrupt-codec-len-before-name", "codec-len 65 is corrupt before the name is read: end of file"
           " right after it is not truncated (decision 1)").raw(MAGIC + b"\x01\x41").write(error("corrupt", 0))
    Vector("corrupt-codec-len-zero-v3", "codec-len 0 is checked before the version (3 here): corrupt, not"
           " incompatible (decision 11)").raw(MAGIC + b"\x03\x00").write(error("corrupt", 0))
    Vector("corrupt-codec-byte-before-version", "a space in the codec name is corrupt even with an unknown"
           " version: the name is checked before the version (decision 11)") \
        .raw(preamble(b"by tes", 3)).write(error("corrupt", 0))
    Vector("truncated-preamble-codec-len", "end of file after the version byte: codec-len missing") \
        .raw(MAGIC + b"\x02").write(error("truncated", 0))
    Vector("truncated-in-magic", "end of file after 2 bytes of a record").raw(MAGIC[:2]).write(error("truncated", 0))
    Vector("incompatible-version-before-codec", "version 3 and a codec the reader refuses: the version is"
           " checked first (decision 11)", "json").raw(preamble("string", 3)) \
        .write(error("incompatible", 0, cause="version"))
    Vector("incompatible-version-0", "version 0 is not a format").raw(preamble("bytes", 0)) \
        .write(error("incompatible", 0, cause="version"))
    Vector("incompatible-codec", "a protobuf reader refuses a json stream", "protobuf") \
        .raw(preamble("json", 2)).write(error("incompatible", 0, cause="codec"))
    Vector("incompatible-codec-json-reader-string-stream", "a json reader refuses a string stream (acceptance"
           " is one-way: string accepts json, not the reverse; decision 3)", "json") \
        .raw(preamble("string", 2)).write(error("incompatible", 0, cause="codec"))
    Vector("accept-string-reads-json", "a string reader accepts a json stream and decodes each payload as text"
           " (decision 3)", "string").preamble("json", 2) \
        .frame(b'{"a": 1}', value='{"a": 1}').frame(b"[]", tag="t", value="[]").eos().write()
    Vector("accept-bytes-reads-any", "a bytes reader accepts any codec name, a user codec's included"
           " (decision 3)").preamble("my.codec-v2", 2).frame(b"\x01\x02").eos().write()


def vectors_fan_in():
    """Decision 8: codecs on fan-in; versions per reader session."""
    Vector("fan-in-mixed-codecs-bytes", "fan-in of a string and a json writer read by a bytes reader: each"
           " preamble is checked on its own (decision 8)") \
        .preamble("string", 2).preamble("json", 2).frame(b"a").frame(b"{}").eos().eos().write()
    Vector("fan-in-mixed-codecs-string", "fan-in of a string and a json writer read by a string reader: both"
           " accepted, every frame decoded with the reader's one codec (decision 8)", "string") \
        .preamble("string", 2).preamble("json", 2).text("a").text('{"b":2}').eos().eos().write()
    v = Vector("fan-in-mixed-codecs-refused", "a json reader meets a second writer whose preamble names string:"
               " incompatible at that preamble (decision 8)", "json")
    v.preamble("json", 2).json({"a": 1})
    at = v.off
    v.raw(preamble("string", 2)).write(error("incompatible", at, cause="codec"))
    Vector("fan-in-v10-and-v11", "a 1.0 and a 1.1 writer interleaved: the 1.1 bits are allowed once a version-2"
           " preamble was read in this reader session", "string") \
        .preamble("string", 1).text("old").preamble("string", 2) \
        .text("new", headers=[("k", "v")]).heartbeat().eos().eos().write()
    Vector("writer-restart-v10-then-v11", "a 1.0 writer ends, a 1.1 writer follows on the same reader session",
           "string").preamble("string", 1).text("a").eos() \
        .preamble("string", 2).text("b", headers=[("fc-id", "7")]).eos().write()
    Vector("reader-session-version-sticky", "after a version-2 preamble the 1.1 bits stay allowed for the rest of"
           " the reader session, even after that writer ended (a reader cannot tell frames' writers apart)") \
        .preamble("bytes", 2).eos().preamble("bytes", 1).heartbeat().eos().write()


def vectors_order():
    """Decision 2 and design 2.3: the frame header check order."""
    v = Vector("truncated-flags-before-check", "a reserved flag bit followed by end of file: flags and tag-len"
               " are read together before they are checked, so this is truncated (decision 2)")
    v.preamble("bytes", 2).fail(b"\x00\x00\x00\x01\x20", "truncated")
    v = Vector("corrupt-end-with-tag", "an end-of-stream with tag-len 3 and end of file right after: corrupt"
               " before the tag is read (decision 2)")
    v.preamble("bytes", 2).fail(b"\x00\x00\x00\x00\x01\x03", "corrupt")
    v = Vector("too-long-before-flags", "a length above the maximum, end of file before the flags: too_long is"
               " decided on the 4 length bytes alone", max_len=1024)
    v.preamble("bytes", 2).fail(b"\x00\x00\x04\x01", "too_long")
    v = Vector("corrupt-no-writer-before-length", "no open writer is checked before the length: a huge length"
               " after the end is corrupt, not too_long", max_len=1024)
    v.preamble("bytes", 2).eos().fail(b"\x7f\xff\xff\xff", "corrupt")
    v = Vector("truncated-partial-length", "end of file after 2 bytes of a frame's length")
    v.preamble("bytes", 2).fail(b"\x00\x00", "truncated")
    v = Vector("corrupt-reserved-flag-v11", "flag 0x20 is reserved in format 1.1 too")
    v.preamble("bytes", 2).fail(frame(b"x", flags=0x20), "corrupt")
    v = Vector("corrupt-flags-before-tag", "a reserved flag bit with tag-len 5 and end of file right after: corrupt"
               " before the tag is read (decision 2)")
    v.preamble("bytes", 2).fail(b"\x00\x00\x00\x01\x20\x05", "corrupt")
    v = Vector("truncated-in-tag", "end of file inside a tag")
    v.preamble("bytes", 2).fail(frame(b"x", tag="abc")[:8], "truncated")
    v = Vector("truncated-in-crc", "end of file inside a frame's CRC-32C")
    v.preamble("bytes", 2).fail(frame(b"x", checksum=True)[:-1], "truncated")


ALL_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-._"
LIMITS = [("k" * 64, b"v" * 4096), (ALL_KEY_CHARS, b"w" * (8192 - (3 + 64 + 4096) - (3 + len(ALL_KEY_CHARS))))]
assert len(header_block(LIMITS)) == 8192


def vectors_headers():
    """Format 1.1 per-frame headers: clean cases, limits, corrupt and bad_headers."""
    hs = [("fc-id", "42"), ("content-type", "application/json"),
          ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]
    Vector("headers", "the worked example: a string frame with one header", "string") \
        .preamble("string", 2).text("hi", headers=[("fc-id", "7")]).eos().write()
    Vector("headers-several", "a tagged json frame with three headers in wire order, then one without", "json") \
        .preamble("json", 2).json({"qty": 2}, tag="order", headers=hs).json({"qty": 3}, tag="order").eos().write()
    Vector("headers-checksum", "headers with CRC-32C: the checksum covers headers-len and the block", "string") \
        .preamble("string", 2).text("x", headers=[("fc-kind", "call"), ("fc-op", "add")], checksum=True) \
        .eos(checksum=True).write()
    Vector("headers-binary-value", "a header value is arbitrary bytes, including empty", "string") \
        .preamble("string", 2).text("x", headers=[("bin", b"\x00\xff\x89FCH"), ("empty", b"")]).eos().write()
    Vector("headers-limits", "the largest legal header set: headers-len 8192, a 64-byte key, a 4096-byte value,"
           " all key characters") \
        .preamble("bytes", 2) \
        .frame(b"p", headers=LIMITS).eos().write()
    many = [("k%02d" % i, b"") for i in range(64)]
    Vector("headers-64-entries", "exactly 64 entries, order kept").preamble("bytes", 2).frame(b"", headers=many) \
        .eos().write()
    Vector("headers-empty-payload-tag", "headers on a frame with an empty tag and an empty payload") \
        .preamble("bytes", 2).frame(b"", headers=[("a", "1")]).eos().write()

    v = Vector("corrupt-headers-len", "headers-len 8193 is corrupt before the block is read (end of file right"
               " after it)")
    v.preamble("bytes", 2).fail(b"\x00\x00\x00\x00\x04\x00\x20\x01", "corrupt")
    v = Vector("corrupt-headers-v10", "the HEADERS flag in a version-1 session is a reserved bit")
    v.preamble("bytes", 1).fail(frame(b"x", block=header_block([("a", "b")])), "corrupt")
    v = Vector("corrupt-headers-on-end", "HEADERS with END_OF_STREAM is a forbidden combination")
    v.preamble("bytes", 2).fail(frame(b"", flags=END_OF_STREAM, block=header_block([("a", "b")])), "corrupt")
    v = Vector("truncated-in-headers-len", "end of file inside headers-len")
    v.preamble("bytes", 2).fail(b"\x00\x00\x00\x00\x04\x00\x00", "truncated")
    v = Vector("truncated-in-header-block", "end of file inside the header block")
    v.preamble("bytes", 2).fail(frame(b"x", block=header_block([("a", "bcd")]))[:12], "truncated")
    v = Vector("checksum-mismatch-headers", "a header value altered after the CRC-32C was computed")
    bad = bytearray(frame(b"x", checksum=True, block=header_block([("a", "b")])))
    bad[-6] ^= 0x01
    v.preamble("bytes", 2).fail(bytes(bad), "checksum")

    bad_blocks = [
        ("empty", "an empty header block (headers-len 0): HEADERS means at least one entry", b""),
        ("key-len-zero", "an entry with key-len 0", b"\x00\x00\x00"),
        ("key-too-long", "a 65-byte key", header_block([("k" * 65, "v")])),
        ("key-uppercase", "an upper-case key byte", header_block([("Content-Type", "x")])),
        ("key-space", "a space in a key", header_block([("a b", "x")])),
        ("key-non-ascii", "a non-ASCII key byte", header_block([(b"k\xc3\xa9", "x")])),
        ("value-too-long", "a 4097-byte value", header_block([("k", b"v" * 4097)])),
        ("key-runs-past", "a key-len running past the block", b"\x05abc"),
        ("value-len-runs-past", "a value-len running past the block", b"\x01a\x00\x05xy"),
        ("value-len-cut", "the block ends inside a value-len", b"\x01a\x00"),
        ("trailing-byte", "a stray byte after the last entry", header_block([("a", "b")]) + b"\x01"),
        ("duplicate-key", "the same key twice", header_block([("a", "1"), ("b", "2"), ("a", "3")])),
        ("too-many", "65 entries", header_block([("k%02d" % i, b"") for i in range(65)])),
    ]
    for name, what, block in bad_blocks:
        Vector("bad-headers-" + name, what + ": a per-message bad_headers failure; the next frame is read",
               "string").preamble("string", 2) \
            .frame(b"lost", block=block, error="bad_headers").text("next").eos().write()
    Vector("bad-tag-before-bad-headers", "a frame with a bad tag and a bad header block is bad_tag: the tag is"
           " checked first", "string").preamble("string", 2) \
        .frame(b"lost", tag=b"\xff", block=b"", error="bad_tag").text("next").eos().write()


def vectors_aborted():
    """Format 1.1 aborted ends."""
    v = v11("aborted", "the worked example: a frame, then the writer aborts with a reason", "string")
    v.text("partial work")
    at = v.off
    v.aborted("disk full").write(aborted_outcome(at, "disk full"))
    v = v11("aborted-checksum", "an aborted end with CRC-32C", "string")
    v.text("x", checksum=True)
    at = v.off
    v.aborted("boom", checksum=True).write(aborted_outcome(at, "boom"))
    v = v11("aborted-empty-reason", "an aborted end with an empty reason")
    at = v.off
    v.aborted("").write(aborted_outcome(at, ""))
    v = v11("aborted-reason-1024", "a reason of exactly 1024 bytes (the limit)")
    at = v.off
    r = "é" * 512
    v.aborted(r).write(aborted_outcome(at, r))
    raw = b"bad \xe2\x82 cut \xed\xa0\x80 sur \xff\xfe two \xef\xbf\xbd\xff end \xf0\x9f\x99"
    shown = "bad \ufffd cut \ufffd sur \ufffd two \ufffd\ufffd end \ufffd"
    v = v11("aborted-reason-invalid-utf8", "a reason that is not UTF-8: each maximal run of bytes that are not part"
            " of a well-formed UTF-8 sequence becomes one U+FFFD (a real U+FFFD stays); it never fails")
    at = v.off
    v.aborted(raw, shown=shown).write(aborted_outcome(at, shown))
    v = Vector("corrupt-aborted-reason-too-long", "an aborted end's length 1025 is corrupt before the reason is"
               " read (end of file right after the header)")
    v.preamble("bytes", 2).fail(b"\x00\x00\x04\x01\x09\x00", "corrupt")
    v = Vector("corrupt-aborted-v10", "an aborted end in a version-1 session: 0x08 is a reserved bit there")
    v.preamble("bytes", 1).fail(frame(b"why", flags=END_OF_STREAM | ABORTED), "corrupt")
    v = Vector("corrupt-aborted-without-end", "ABORTED without END_OF_STREAM is a forbidden combination")
    v.preamble("bytes", 2).fail(frame(b"why", flags=ABORTED), "corrupt")
    v = Vector("corrupt-aborted-with-tag", "an aborted end with a tag")
    v.preamble("bytes", 2).fail(frame(b"why", tag="t", flags=END_OF_STREAM | ABORTED), "corrupt")
    v = Vector("checksum-mismatch-aborted", "a checksum mismatch on an aborted end is a checksum error: the"
               " reason cannot be trusted")
    bad = bytearray(frame(b"why", flags=END_OF_STREAM | ABORTED, checksum=True))
    bad[6] ^= 0x01
    v.preamble("bytes", 2).fail(bytes(bad), "checksum")
    v = Vector("aborted-fan-in-goes-on", "fan-in: writer A aborts while B is open; the byte stream is intact, so"
               " B's records follow; the outcome at end of file is A's aborted end", "string")
    v.preamble("string", 2).preamble("string", 2).text("a1")
    at = v.off
    v.aborted("a failed").text("b1").eos().write(aborted_outcome(at, "a failed"))
    v = v11("aborted-then-restart", "an aborted writer, then a new writer that ends cleanly: the first aborted"
            " end is the outcome (sticky)", "string")
    at = v.off
    v.aborted("first").preamble("string", 2).text("second").eos().write(aborted_outcome(at, "first"))
    v = v11("aborted-then-truncated", "fan-in: A aborts, B dies without an end: a stream error found later is"
            " the outcome (a reader that stops at the aborted end reports aborted; see README)", "string")
    v.preamble("string", 2).aborted("a failed").text("b1")
    v.write(error("truncated", v.off))
    v = v11("aborted-then-frame", "a frame after the only writer's aborted end has no open writer")
    v.aborted("x")
    at = v.off
    v.raw(frame(b"late")).write(error("corrupt", at))


def vectors_heartbeat():
    """Format 1.1 heartbeats."""
    Vector("heartbeat", "the worked example: heartbeats around a frame; never delivered as messages", "string") \
        .preamble("string", 2).heartbeat().text("hi").heartbeat().eos().write()
    Vector("heartbeat-checksum", "a heartbeat with CRC-32C").preamble("bytes", 2).heartbeat(checksum=True) \
        .eos(checksum=True).write()
    v = Vector("corrupt-heartbeat-with-payload", "a heartbeat with length 1 is corrupt before the payload is read")
    v.preamble("bytes", 2).fail(b"\x00\x00\x00\x01\x10\x00", "corrupt")
    v = Vector("corrupt-heartbeat-with-tag", "a heartbeat with a tag")
    v.preamble("bytes", 2).fail(frame(b"", tag="t", flags=HEARTBEAT), "corrupt")
    v = Vector("corrupt-heartbeat-v10", "a heartbeat in a version-1 session: 0x10 is a reserved bit there")
    v.preamble("bytes", 1).fail(frame(b"", flags=HEARTBEAT), "corrupt")
    v = Vector("corrupt-heartbeat-with-end", "HEARTBEAT with END_OF_STREAM is a forbidden combination")
    v.preamble("bytes", 2).fail(frame(b"", flags=HEARTBEAT | END_OF_STREAM), "corrupt")
    v = Vector("corrupt-heartbeat-no-writer", "a heartbeat after the only writer ended")
    v.preamble("bytes", 2).eos().fail(frame(b"", flags=HEARTBEAT), "corrupt")
    v = Vector("truncated-after-heartbeat", "a writer that sent a heartbeat and died: alive then, truncated now")
    v.preamble("bytes", 2).heartbeat()
    v.write(error("truncated", v.off))
    v = Vector("checksum-mismatch-heartbeat", "a heartbeat whose CRC-32C does not match")
    bad = bytearray(frame(b"", flags=HEARTBEAT, checksum=True))
    bad[-1] ^= 0x01
    v.preamble("bytes", 2).fail(bytes(bad), "checksum")


def vectors_checksum():
    """Decision 9: CHECKSUM is per record."""
    Vector("checksum-per-record", "CHECKSUM set on some records only, of every kind: a reader verifies each record"
           " that carries it (decision 9)", "string") \
        .preamble("string", 2).text("c", checksum=True).text("n").heartbeat(checksum=True).heartbeat() \
        .text("h", headers=[("a", "b")], checksum=True).eos().write()
    v = Vector("checksum-mismatch-after-good", "a good checksummed frame, an unchecksummed one, then a mismatch")
    v.preamble("bytes", 2).frame(b"a", checksum=True).frame(b"b")
    bad = bytearray(frame(b"c", checksum=True))
    bad[-1] ^= 0xFF
    at = v.off
    v.raw(bytes(bad)).write(error("checksum", at))


def vectors_messages():
    """Decisions 5, 6, 7: per-message failures and the codecs' value rules."""
    Vector("bad-tag", "tags that are not UTF-8 (a stray byte, an overlong encoding, an encoded surrogate) are"
           " per-message bad_tag failures; the stream goes on (decision 7)", "string") \
        .preamble("string", 2) \
        .frame(b"a", tag=b"\xff", error="bad_tag") \
        .frame(b"b", tag=b"\xc0\xaf", error="bad_tag") \
        .frame(b"c", tag=b"\xed\xa0\x80", error="bad_tag") \
        .text("d", tag="ok").eos().write()
    Vector("bad-tag-bytes", "a bad tag is bad_tag for a bytes reader too: the tag is checked before the codec") \
        .preamble("bytes", 2).frame(b"a", tag=b"t\x80", error="bad_tag").frame(b"b").eos().write()
    Vector("string-decoding", "string codec: strict UTF-8, nothing stripped or normalised, any tag; invalid UTF-8"
           " is undecodable and the stream goes on (decisions 5, 6)", "string") \
        .preamble("string", 2) \
        .frame("\ufeffbom kept".encode(), value="\ufeffbom kept") \
        .frame(b"nul\x00 and  spaces \n", value="nul\x00 and  spaces \n") \
        .frame(b"e\xcc\x81", value="e\u0301") \
        .frame(b"\xff", error="undecodable") \
        .frame(b"cut \xe2\x82", error="undecodable") \
        .frame(b"\xed\xa0\x80", error="undecodable") \
        .frame(b"\xf4\x90\x80\x80", error="undecodable") \
        .frame(b"any tag", tag="whatever", value="any tag") \
        .text("after").eos().write()
    Vector("json-decoding", "json codec: exactly one JSON value (RFC 8259) in UTF-8, JSON whitespace around it"
           " allowed, no BOM, duplicate names: the last wins; anything else is undecodable (decisions 5, 6)",
           "json").preamble("json", 2) \
        .frame(b' \t\r\n{"a": [1, 2]} \n', value={"a": [1, 2]}) \
        .frame(b"3", value=3) \
        .frame(b'"s"', value="s") \
        .frame(b"null", value=None) \
        .frame(b'{"a":1,"a":2}', value={"a": 2}) \
        .frame(b'"\\u00e9\\ud83d\\ude42"', value="é🙂") \
        .frame(b"", error="undecodable") \
        .frame(b"   ", error="undecodable") \
        .frame(b"1 2", error="undecodable") \
        .frame(b"{}{}", error="undecodable") \
        .frame(b"\xef\xbb\xbf{}", error="undecodable") \
        .frame(b'"\xff"', error="undecodable") \
        .frame(b"NaN", error="undecodable") \
        .frame(b"{'a':1}", error="undecodable") \
        .frame(b"[1,]", error="undecodable") \
        .frame(b"\x0c1", error="undecodable") \
        .json({"after": True}).eos().write()
    Vector("protobuf-decoding", "protobuf codec: the tag names the message; values in proto3's canonical JSON"
           " mapping (int64 as a string, bytes as padded base64, defaults omitted, unknown fields and groups"
           " dropped, last value of a repeated scalar wins); a proto3 string that is not UTF-8 is undecodable;"
           " unknown or empty tag: unknown_type; bad wire data: undecodable (decisions 5, 6)", "protobuf") \
        .preamble("protobuf", 2) \
        .frame(pb_ping(-5, "neg"), tag=PING, value={"seq": "-5", "text": "neg"}) \
        .frame(pb_pong(0, b"\xfb\xff"), tag=PONG, value={"payload": "+/8="}) \
        .frame(pb_ping(2, "") + pb_field(9, 0) + varint(1), tag=PING, value={"seq": "2"}) \
        .frame(pb_field(1, 0) + varint(1) + pb_field(1, 0) + varint(7), tag=PING, value={"seq": "7"}) \
        .frame(pb_ping(1, "x"), tag="fifochan.interop.Nope", error="unknown_type") \
        .frame(pb_ping(1, "x"), tag="", error="unknown_type") \
        .frame(pb_ping(4, "") + pb_field(5, 3) + pb_field(1, 0) + varint(9) + pb_field(5, 4), tag=PONG,
               value={"seq": "4"}) \
        .frame(b"\x08", tag=PING, error="undecodable") \
        .frame(pb_field(2, 2) + b"\x02\xc3\x28", tag=PING, error="undecodable") \
        .frame(b"\x12\x05ab", tag=PING, error="undecodable") \
        .frame(pb_ping(3, "after"), tag=PING, value={"seq": "3", "text": "after"}) \
        .eos().write()


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f not in KEEP:
            os.remove(os.path.join(OUT, f))
    vectors_1_0()
    vectors_preamble()
    vectors_fan_in()
    vectors_order()
    vectors_headers()
    vectors_aborted()
    vectors_heartbeat()
    vectors_checksum()
    vectors_messages()


if __name__ == "__main__":
    main()
