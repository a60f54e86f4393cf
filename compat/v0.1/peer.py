#!/usr/bin/env python3
"""A complete fifochan wire-format v1 peer in standard-library Python, written from docs/wire-format.md.

  python3 peer.py send FIFO < lines      one frame per stdin line (codec "string"), then end of stream
  python3 peer.py recv FIFO             prints each frame's payload; exit 0 only at a clean end
  python3 peer.py check-vectors         decodes every testdata/vectors/*.bin, re-encodes the clean ones
"""
import json, os, struct, sys

MAGIC, EOS, CRC = b"\x89FCH", 0x01, 0x02
T = [0] * 256
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    T[n] = c

def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = T[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF

class StreamError(Exception):
    def __init__(self, kind, offset):
        super().__init__(f"{kind} at offset {offset}")
        self.kind, self.offset = kind, offset

def preamble(codec):
    return MAGIC + bytes([1, len(codec)]) + codec.encode("ascii")

def frame(payload, tag=b"", flags=0):
    body = struct.pack(">IBB", len(payload), flags, len(tag)) + tag + payload
    return body + (struct.pack(">I", crc32c(body)) if flags & CRC else b"")

def records(f, max_len=16 << 20):
    """Yields (kind, offset, flags, tag, payload-or-codec); raises StreamError at an unclean end."""
    off, writers, seen = 0, 0, False
    def need(n, at):
        b = f.read(n)
        if len(b) < n: raise StreamError("truncated", at)
        return b
    while True:
        head = f.read(4)
        if not head:
            if writers == 0 and seen: return
            raise StreamError("truncated", off)
        if len(head) < 4: raise StreamError("truncated", off)
        if head == MAGIC:
            version, n = need(2, off)
            if n == 0 or n > 64: raise StreamError("corrupt", off)
            name = need(n, off)
            if any(b < 0x21 or b > 0x7E for b in name): raise StreamError("corrupt", off)
            if version != 1: raise StreamError("incompatible", off)
            writers, seen = writers + 1, True
            yield "preamble", off, 0, b"", name.decode()
            off += 6 + n
            continue
        (length,) = struct.unpack(">I", head)
        if writers == 0 or length >> 31: raise StreamError("corrupt", off)
        if length > max_len: raise StreamError("too_long", off)
        flags, tlen = need(2, off)
        if flags & ~3 or (flags & EOS and (length or tlen)): raise StreamError("corrupt", off)
        tag, payload = need(tlen, off), need(length, off)
        size = 6 + tlen + length
        if flags & CRC:
            (want,) = struct.unpack(">I", need(4, off))
            if crc32c(head + bytes([flags, tlen]) + tag + payload) != want: raise StreamError("checksum", off)
            size += 4
        if flags & EOS: writers -= 1
        yield ("end" if flags & EOS else "frame"), off, flags, tag, payload
        off += size

def check_vectors(directory):
    for name in sorted(n[:-5] for n in os.listdir(directory) if n.endswith(".json")):
        want = json.load(open(os.path.join(directory, name + ".json")))
        got, out, error = [], b"", None
        try:
            with open(os.path.join(directory, name + ".bin"), "rb") as f:
                for kind, off, flags, tag, p in records(f, want["max_frame_length"]):
                    got.append((kind, off))
                    out += preamble(p) if kind == "preamble" else frame(b"" if kind == "end" else p, tag, flags)
        except StreamError as e:
            error = e
        assert got == [(r["kind"], r["offset"]) for r in want["records"]], name
        o = want["outcome"]
        if o["status"] == "clean":
            assert error is None, f"{name}: {error}"
            assert out == open(os.path.join(directory, name + ".bin"), "rb").read(), f"{name}: re-encoding differs"
        else:
            assert error and (error.kind, error.offset) == (o["error"], o["offset"]), f"{name}: {error} != {o}"
        print("ok", name)

if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "send":
        with open(sys.argv[2], "wb", buffering=0) as f:
            f.write(preamble("string"))
            for line in sys.stdin.buffer:
                f.write(frame(line.rstrip(b"\n")))
            f.write(frame(b"", flags=EOS))
    elif cmd == "recv":
        try:
            with open(sys.argv[2], "rb") as f:
                for kind, _, _, _, payload in records(f):
                    if kind == "frame": sys.stdout.buffer.write(payload + b"\n")
        except StreamError as e:
            sys.exit(f"recv: {e}")
    elif cmd == "check-vectors":
        check_vectors(os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors"))
    else:
        sys.exit(__doc__)
