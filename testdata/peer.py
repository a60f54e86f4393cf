#!/usr/bin/env python3
"""A complete fifochan wire-format 1.1 peer in standard-library Python, written from docs/wire-format.md.

  python3 peer.py send PATH [options] < lines   one frame per stdin line, then an end of stream
      --codec NAME          codec named in the preamble (default string; payloads are the lines' bytes)
      --wire-version V      1.1 (default) or 1.0: byte for byte what a 0.1 writer sends
      --checksum            CRC-32C on every record
      --tag TAG             type tag of every frame
      --header KEY=VALUE    a header on every frame (repeatable; 1.1 only)
      --heartbeat           a heartbeat before every frame (1.1 only; ignored in 1.0 mode)
      --abort REASON        end with an aborted end (1.0 mode: close without an end: truncated)
  python3 peer.py recv PATH [options]           prints each message's payload and a newline
      --codec NAME          the reader's codec (default bytes: accepts any stream)
      --max-frame-length N  (default 16777216)
      --json                one JSON object per record, then {"outcome": ...} (the vectors' shape);
                            goes on after an aborted end, as inspect does (without --json: stops there)
      --no-lock             do not take the exclusive-reader lock on a FIFO
      exit 0 only at a clean end; otherwise one line on stderr: "recv: <error> at offset N..."
      A FIFO is opened without waiting, locked with flock(LOCK_EX|LOCK_NB) before any read
      (exit 3 "FIFO busy" if another reader holds it), then read once a writer arrives.
  python3 peer.py check-vectors [DIR]            (or --check-vectors) decodes every vector to exactly
      its .json, re-encodes the clean ones byte for byte, and runs the spec's minimal reader on it
"""
import base64, fcntl, json, os, select, stat, struct, sys

MAGIC = b"\x89FCH"
EOS, CRC, HDR, ABT, HBT = 0x01, 0x02, 0x04, 0x08, 0x10
DEFAULT_MAX = 16 << 20
MAX_HEADERS_LEN, MAX_ENTRIES, MAX_KEY, MAX_VALUE, MAX_REASON = 8192, 64, 64, 4096, 1024
KEY_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-._")
PROTO_TYPES = {"fifochan.interop.Ping": "text", "fifochan.interop.Pong": "payload"}  # field 2's name

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


# ---------------------------------------------------------------- writing

def preamble(codec, version=2):
    name = codec.encode("ascii")
    if not 1 <= len(name) <= 64 or any(b < 0x21 or b > 0x7E for b in name):
        raise ValueError("codec name: 1..64 printable ASCII bytes")
    return MAGIC + bytes([version, len(name)]) + name


def header_block(headers):
    """headers: [(key str, value bytes)]; the writer's checks (spec §4.2): refuses a bad set."""
    out, keys = b"", set()
    if not headers or len(headers) > MAX_ENTRIES:
        raise ValueError("headers: 1..64 entries")
    for k, v in headers:
        kb = k.encode("ascii") if isinstance(k, str) else k
        if not 1 <= len(kb) <= MAX_KEY or not set(kb) <= KEY_BYTES or kb in keys:
            raise ValueError(f"header key {k!r}: 1..64 bytes of a-z 0-9 - . _, no duplicates")
        if len(v) > MAX_VALUE:
            raise ValueError(f"header {k!r}: value longer than 4096 bytes")
        keys.add(kb)
        out += bytes([len(kb)]) + kb + struct.pack(">H", len(v)) + v
    if len(out) > MAX_HEADERS_LEN:
        raise ValueError("headers: block longer than 8192 bytes")
    return out


def record(flags, payload=b"", tag=b"", block=None, checksum=False):
    """Any record but a preamble, from raw parts (no validation: also builds bad records)."""
    flags |= (CRC if checksum else 0) | (HDR if block is not None else 0)
    body = struct.pack(">IBB", len(payload), flags, len(tag)) + tag
    if block is not None:
        body += struct.pack(">H", len(block)) + block
    body += payload
    return body + (struct.pack(">I", crc32c(body)) if checksum else b"")


def frame(payload, tag=b"", headers=None, checksum=False):
    return record(0, payload, tag, header_block(headers) if headers else None, checksum)


def end(checksum=False):
    return record(EOS, checksum=checksum)


def aborted(reason, checksum=False):
    """The reason is cut to at most 1024 bytes at a character boundary (spec §4.3)."""
    raw = reason.encode("utf-8")
    if len(raw) > MAX_REASON:
        raw = raw[:MAX_REASON].decode("utf-8", "ignore").encode("utf-8")
    return record(EOS | ABT, raw, checksum=checksum)


def heartbeat(checksum=False):
    return record(HBT, checksum=checksum)


class Writer:
    """One writer session. version 1 is wire format 1.0: byte for byte what 0.1 wrote."""

    def __init__(self, out, codec, version=2, checksum=False):
        self.out, self.version, self.checksum = out, version, checksum
        out.write(preamble(codec, version))
        out.flush()

    def send(self, payload, tag=b"", headers=None):
        if headers and self.version == 1:
            raise RuntimeError("headers need wire format 1.1")
        self.out.write(frame(payload, tag, headers, self.checksum))

    def heartbeat(self):
        if self.version >= 2:
            self.out.write(heartbeat(self.checksum))
            self.out.flush()

    def close(self):
        self.out.write(end(self.checksum))
        self.out.flush()

    def abort(self, reason):
        if self.version >= 2:  # 1.0 mode: no end at all, the reader reports a truncated stream
            self.out.write(aborted(reason, self.checksum))
        self.out.flush()


# ---------------------------------------------------------------- reading

class StreamError(Exception):
    def __init__(self, kind, offset, **extra):
        self.kind, self.offset, self.extra = kind, offset, extra
        detail = "".join(f" ({v})" if k == "cause" else f": {v}" for k, v in extra.items())
        super().__init__(f"{kind} at offset {offset}{detail}")

    def outcome(self):
        return {"status": "error", "error": self.kind, "offset": self.offset, **self.extra}


class MessageError(Exception):
    pass


def accepts(reader, writer):
    """Codec acceptance (spec §7)."""
    return reader == writer or reader == "bytes" or (reader == "string" and writer == "json")


def parse_headers(block):
    """The header block rules of spec §4.2; MessageError("bad_headers") for any break."""
    out, keys, i = [], set(), 0
    if not block:
        raise MessageError("bad_headers")
    while i < len(block):
        klen = block[i]
        i += 1
        if len(out) == MAX_ENTRIES or not 1 <= klen <= MAX_KEY or i + klen + 2 > len(block):
            raise MessageError("bad_headers")
        key = block[i:i + klen]
        (vlen,) = struct.unpack_from(">H", block, i + klen)
        i += klen + 2
        if not set(key) <= KEY_BYTES or key in keys or vlen > MAX_VALUE or i + vlen > len(block):
            raise MessageError("bad_headers")
        keys.add(key)
        out.append((key.decode("ascii"), block[i:i + vlen]))
        i += vlen
    return out


def lenient_utf8(b):
    """UTF-8 that never fails (spec §4.3): each maximal run of bytes that are not part of a
    well-formed UTF-8 sequence becomes one U+FFFD."""
    out, i, in_run = [], 0, False
    while i < len(b):
        for n in (1, 2, 3, 4):
            try:
                out.append(b[i:i + n].decode("utf-8"))
                i, in_run = i + n, False
                break
            except UnicodeDecodeError:
                pass
        else:
            if not in_run:
                out.append("\ufffd")
            i, in_run = i + 1, True
    return "".join(out)


def _no_constant(name):
    raise ValueError(name)


def _varint(data, i):
    n, shift = 0, 0
    while True:
        if i >= len(data) or shift > 63:
            raise MessageError("undecodable")
        b = data[i]
        i += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n & ((1 << 64) - 1), i


def _skip_group(data, i, number):
    """Skips an (unknown) group up to its END_GROUP with the same number."""
    while True:
        key, i = _varint(data, i)
        wire = key & 7
        if wire == 4:
            if key >> 3 != number:
                raise MessageError("undecodable")
            return i
        if wire == 0:
            _, i = _varint(data, i)
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
        elif wire == 2:
            n, i = _varint(data, i)
            i += n
        elif wire == 3:
            i = _skip_group(data, i, key >> 3)
        else:
            raise MessageError("undecodable")
        if i > len(data):
            raise MessageError("undecodable")


def decode_protobuf(tag, data):
    if tag not in PROTO_TYPES:
        raise MessageError("unknown_type")
    seq, field2, i = 0, b"", 0
    while i < len(data):
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise MessageError("undecodable")
        if wire == 0:
            v, i = _varint(data, i)
        elif wire in (1, 5):
            i += 8 if wire == 1 else 4
            if i > len(data):
                raise MessageError("undecodable")
            continue
        elif wire == 2:
            n, i = _varint(data, i)
            if i + n > len(data):
                raise MessageError("undecodable")
            v, i = data[i:i + n], i + n
        elif wire == 3:
            i = _skip_group(data, i, number)
            continue
        else:
            raise MessageError("undecodable")
        if number == 1 and wire == 0:
            seq = v - (1 << 64) if v >> 63 else v
        elif number == 2 and wire == 2:
            field2 = v
    value = {"seq": str(seq)} if seq else {}
    if field2 and PROTO_TYPES[tag] == "text":
        try:
            value["text"] = field2.decode("utf-8")
        except UnicodeDecodeError:
            raise MessageError("undecodable")
    elif field2:
        value["payload"] = base64.b64encode(field2).decode("ascii")
    return value


def decode_value(codec, tag, payload):
    """The value rules of spec §7 (decision 5). MessageError for unknown_type / undecodable."""
    if codec == "protobuf":
        return decode_protobuf(tag, payload)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise MessageError("undecodable")
    if codec == "string":
        return text
    if codec == "json":
        if text.startswith("\ufeff"):
            raise MessageError("undecodable")
        try:
            return json.loads(text, parse_constant=_no_constant)
        except ValueError:
            raise MessageError("undecodable")
    raise MessageError("unknown_type")


def records(f, codec="bytes", max_len=DEFAULT_MAX):
    """Yields the records of one reader session as vector-shaped dicts, then the outcome dict."""
    off, writers, seen, v2, first_abort = 0, 0, False, False, None

    def need(n, at):
        b = bytearray()
        while len(b) < n:
            chunk = f.read(n - len(b))
            if not chunk:
                raise StreamError("truncated", at)
            b += chunk
        return bytes(b)

    try:
        while True:
            head = f.read(4)
            if not head:
                if writers or not seen:
                    raise StreamError("truncated", off)
                yield first_abort or {"status": "clean", "offset": off}
                return
            while len(head) < 4:
                chunk = f.read(4 - len(head))
                if not chunk:
                    raise StreamError("truncated", off)
                head += chunk
            if head == MAGIC:
                version, n = need(2, off)
                if n == 0 or n > 64:
                    raise StreamError("corrupt", off)
                name = need(n, off)
                if any(b < 0x21 or b > 0x7E for b in name):
                    raise StreamError("corrupt", off)
                if version not in (1, 2):
                    raise StreamError("incompatible", off, cause="version")
                if not accepts(codec, name.decode("ascii")):
                    raise StreamError("incompatible", off, cause="codec")
                writers, seen, v2 = writers + 1, True, v2 or version == 2
                yield {"kind": "preamble", "offset": off, "version": version, "codec": name.decode("ascii")}
                off += 6 + n
                continue
            (length,) = struct.unpack(">I", head)
            if writers == 0 or length >> 31:
                raise StreamError("corrupt", off)
            if length > max_len:
                raise StreamError("too_long", off)
            flags, tlen = need(2, off)
            kind = flags & ~CRC
            if flags & ~(0x1F if v2 else 0x03):
                raise StreamError("corrupt", off)
            if kind not in (0, HDR) and (tlen or length > (MAX_REASON if kind == EOS | ABT else 0)
                                         or kind not in (EOS, EOS | ABT, HBT)):
                raise StreamError("corrupt", off)
            tag = need(tlen, off)
            block = None
            if flags & HDR:
                (hlen,) = struct.unpack(">H", need(2, off))
                if hlen > MAX_HEADERS_LEN:
                    raise StreamError("corrupt", off)
                block = need(hlen, off)
            payload = need(length, off)
            size = 6 + tlen + length + (2 + len(block) if block is not None else 0)
            if flags & CRC:
                (want,) = struct.unpack(">I", need(4, off))
                body = head + bytes([flags, tlen]) + tag
                if block is not None:
                    body += struct.pack(">H", len(block)) + block
                if crc32c(body + payload) != want:
                    raise StreamError("checksum", off)
                size += 4
            if kind & EOS:
                writers -= 1
                if kind & ABT:
                    reason = lenient_utf8(payload)
                    first_abort = first_abort or {"status": "error", "error": "aborted", "offset": off,
                                                  "reason": reason}
                    yield {"kind": "aborted", "offset": off, "flags": flags, "reason": reason,
                           "payload_hex": payload.hex()}
                else:
                    yield {"kind": "end", "offset": off, "flags": flags}
            elif kind == HBT:
                yield {"kind": "heartbeat", "offset": off, "flags": flags}
            else:
                yield message(off, flags, tag, block, payload, codec)
            off += size
    except StreamError as e:
        yield e.outcome()


def message(off, flags, tag, block, payload, codec):
    """A message frame's record; its contents are checked here, after the frame was read (spec §6)."""
    rec, error = {"kind": "frame", "offset": off, "flags": flags}, None
    try:
        rec["tag"] = tag.decode("utf-8")
    except UnicodeDecodeError:
        rec["tag_hex"], error = tag.hex(), "bad_tag"
    if block is not None:
        if error is None:
            try:
                rec["headers"] = [{"key": k, "value_hex": v.hex()} for k, v in parse_headers(block)]
            except MessageError as e:
                error = str(e)
        if error:
            rec["headers_hex"] = block.hex()
    rec["payload_hex"] = payload.hex()
    if error is None and codec != "bytes":
        try:
            rec["value"] = decode_value(codec, rec["tag"], payload)
        except MessageError as e:
            error = str(e)
    if error:
        rec["error"] = error
    return rec


# ---------------------------------------------------------------- FIFOs

class FifoBusy(Exception):
    pass


def holder_of(fd):
    """The pid holding a flock on fd's inode, from /proc/locks, or None."""
    st = os.fstat(fd)
    want = "%02x:%02x:%d" % (os.major(st.st_dev), os.minor(st.st_dev), st.st_ino)
    try:
        with open("/proc/locks") as locks:
            for line in locks:
                parts = line.split()
                if "FLOCK" in parts and want in parts:
                    return int(parts[parts.index(want) - 1])
    except OSError:
        pass
    return None


class FifoReader:
    """A FIFO's read end: opened without waiting, locked before any read, read once a writer came."""

    def __init__(self, path, lock=True):
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        if lock:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = holder_of(self.fd)
                os.close(self.fd)
                raise FifoBusy(f"FIFO busy: {path} is read by another reader"
                               + (f" (pid {pid})" if pid else ""))
        self.poll = select.poll()
        self.poll.register(self.fd, select.POLLIN)
        self.waited = False

    def read(self, n):
        if not self.waited:  # read(2) gives end of file until the first writer came: wait for it
            self.poll.poll()
            self.waited = True
        while True:
            try:
                return os.read(self.fd, n)
            except BlockingIOError:
                self.poll.poll()

    def close(self):
        os.close(self.fd)


def open_for_reading(path, lock=True):
    if stat.S_ISFIFO(os.stat(path).st_mode):
        return FifoReader(path, lock)
    return open(path, "rb")


# ---------------------------------------------------------------- vectors

class Chunked:
    def __init__(self, data, size):
        self.data, self.pos, self.size = data, 0, size

    def read(self, n):
        b = self.data[self.pos:self.pos + min(n, self.size)]
        self.pos += len(b)
        return b


def canon(x):
    return json.dumps(x, sort_keys=True, ensure_ascii=False)


def reencode(recs):
    out = b""
    for r in recs:
        k = r["kind"]
        crc = bool(r.get("flags", 0) & CRC)
        if k == "preamble":
            out += preamble(r["codec"], r["version"])
        elif k == "frame":
            tag = bytes.fromhex(r["tag_hex"]) if "tag_hex" in r else r["tag"].encode()
            payload = bytes.fromhex(r["payload_hex"])
            if "headers_hex" in r:  # a bad block: only a raw encoder makes it
                out += record(0, payload, tag, bytes.fromhex(r["headers_hex"]), crc)
            elif "tag_hex" in r:
                out += record(0, payload, tag, None, crc)
            else:
                hs = [(h["key"], bytes.fromhex(h["value_hex"])) for h in r.get("headers", [])]
                out += frame(payload, tag, hs or None, crc)
        elif k == "end":
            out += end(crc)
        elif k == "aborted":
            out += record(EOS | ABT, bytes.fromhex(r["payload_hex"]), checksum=crc)
        elif k == "heartbeat":
            out += heartbeat(crc)
    return out


def spec_sample():
    """The minimal reader of docs/wire-format.md §11, extracted from the document, or None."""
    doc = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "wire-format.md")
    if not os.path.exists(doc):
        return None
    text = open(doc, encoding="utf-8").read()
    start = text.index("```python", text.index("## 11. "))
    code = text[start + len("```python"):text.index("```", start + 9)]
    ns = {}
    exec(compile(code, "wire-format.md §11", "exec"), ns)
    return ns


def check_sample(ns, data, want):
    """The sample yields (kind, offset, error) and raises its StreamError(kind, offset)."""
    got, outcome = [], None
    import io
    try:
        for kind, off, err in ns["records"](io.BytesIO(data), want["reader"]["max_frame_length"],
                                            lambda w: accepts(want["reader"]["codec"], w)):
            got.append((kind, off, err))
    except ns["StreamError"] as e:
        outcome = (e.args[0], e.args[1])
    exp = [(r["kind"], r["offset"], r.get("error") if r.get("error") in ("bad_tag", "bad_headers") else None)
           for r in want["records"]]
    o = want["outcome"]
    exp_outcome = None if o["status"] == "clean" else (o["error"], o["offset"])
    return got == exp and outcome == exp_outcome, (got, outcome, exp, exp_outcome)


def check_vectors(directory):
    sample = spec_sample()
    if sample is None:
        print("note: docs/wire-format.md not found: the spec's minimal reader is not checked")
    failed = 0
    for name in sorted(n[:-5] for n in os.listdir(directory) if n.endswith(".json")):
        with open(os.path.join(directory, name + ".json"), encoding="utf-8") as f:
            want = json.load(f)
        with open(os.path.join(directory, name + ".bin"), "rb") as f:
            data = f.read()
        problems = []
        for size in (1, 3, 7, 4096, len(data) + 1):
            got = list(records(Chunked(data, size), want["reader"]["codec"], want["reader"]["max_frame_length"]))
            if canon(got[:-1]) != canon(want["records"]) or canon(got[-1]) != canon(want["outcome"]):
                problems.append(f"read {size} at a time: got {canon(got)}")
                break
        if want["outcome"]["status"] == "clean" and reencode(want["records"]) != data:
            problems.append("re-encoding differs")
        if sample is not None:
            ok, detail = check_sample(sample, data, want)
            if not ok:
                problems.append(f"spec sample: {detail}")
        if problems:
            failed += 1
            print("FAIL", name, *problems, sep="\n  ")
        else:
            print("ok", name)
    if failed:
        sys.exit(f"{failed} vector(s) failed")


# ---------------------------------------------------------------- command line

def options(args, flags, valued):
    opts, rest = {}, []
    it = iter(args)
    for a in it:
        if a in flags:
            opts[a] = True
        elif a in valued:
            opts.setdefault(a, []).append(next(it, None))
            if opts[a][-1] is None:
                sys.exit(f"{a} needs a value")
        elif a.startswith("--"):
            sys.exit(f"unknown option {a}\n{__doc__}")
        else:
            rest.append(a)
    return opts, rest


def cmd_send(args):
    o, rest = options(args, {"--checksum", "--heartbeat"},
                      {"--codec", "--wire-version", "--tag", "--header", "--abort"})
    if len(rest) != 1:
        sys.exit(__doc__)
    version = {"1.1": 2, "1.0": 1}.get(o.get("--wire-version", ["1.1"])[-1])
    if version is None:
        sys.exit("--wire-version is 1.0 or 1.1")
    headers = [(h.split("=", 1)[0], h.split("=", 1)[1].encode()) for h in o.get("--header", []) if "=" in h]
    if version == 1 and headers:
        sys.exit("send: headers need --wire-version 1.1")
    tag = o.get("--tag", [""])[-1].encode()
    with open(rest[0], "wb", buffering=0) as f:
        w = Writer(f, o.get("--codec", ["string"])[-1], version, "--checksum" in o)
        for line in sys.stdin.buffer:
            if "--heartbeat" in o:
                w.heartbeat()
            w.send(line.rstrip(b"\n"), tag, headers or None)
        if "--abort" in o:
            w.abort(o["--abort"][-1])
        else:
            w.close()


def cmd_recv(args):
    o, rest = options(args, {"--json", "--no-lock"}, {"--codec", "--max-frame-length"})
    if len(rest) != 1:
        sys.exit(__doc__)
    codec = o.get("--codec", ["bytes"])[-1]
    max_len = int(o.get("--max-frame-length", [DEFAULT_MAX])[-1])
    try:
        f = open_for_reading(rest[0], "--no-lock" not in o)
    except FifoBusy as e:
        print(f"recv: {e}", file=sys.stderr)
        sys.exit(3)
    out = sys.stdout.buffer
    try:
        for r in records(f, codec, max_len):
            if "status" in r:
                if "--json" in o:
                    out.write((json.dumps({"outcome": r}, ensure_ascii=False) + "\n").encode())
                out.flush()
                if r["status"] != "clean":
                    detail = "".join(f" ({r[k]})" for k in ("cause",) if k in r)
                    detail += f": {r['reason']}" if "reason" in r else ""
                    sys.exit(f"recv: {r['error']}{detail} at offset {r['offset']}")
                return
            if "--json" in o:
                out.write((json.dumps(r, ensure_ascii=False) + "\n").encode())
            elif r["kind"] == "frame" and "error" not in r:
                out.write(bytes.fromhex(r["payload_hex"]) + b"\n")
            elif r["kind"] == "frame":
                print(f"recv: {r['error']} at offset {r['offset']} (the stream goes on)", file=sys.stderr)
            elif r["kind"] == "aborted":  # a plain reader stops at the first aborted end
                out.flush()
                sys.exit(f"recv: aborted: {r['reason']} at offset {r['offset']}")
    finally:
        f.close()


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "send":
        cmd_send(sys.argv[2:])
    elif cmd == "recv":
        cmd_recv(sys.argv[2:])
    elif cmd in ("check-vectors", "--check-vectors"):
        here = os.path.dirname(os.path.abspath(__file__))
        check_vectors(sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "vectors"))
    else:
        sys.exit(__doc__)
