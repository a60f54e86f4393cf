#!/usr/bin/env python3
"""Wire format 1.1 against the released fifochan 0.1, both directions, over real FIFOs.

  python3 testdata/compat_check.py [--python-only] [--go] [--java]

The 0.1 side is the frozen code in compat/v0.1/ (never the new code in a compatibility mode):
peer.py always; the Go package (compat/v0.1/go, built with `go build`) and the Java api
(compat/v0.1/java, built with `mvn package`) when --go / --java is given, or by default when
`go` / `mvn` and `java` are on PATH (--python-only skips them). The 1.1 side is testdata/peer.py.
Prints one "ok NAME" or "FAIL NAME" line per check and "N passed, N failed"; exits 1 on a failure.
Standard library only.
"""
import os, shutil, subprocess, sys, tempfile, threading

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NEW = [sys.executable, os.path.join(HERE, "peer.py")]
OLD_PY = [sys.executable, os.path.join(ROOT, "compat", "v0.1", "peer.py")]
LINES = ["first", "grüße 🙂", "", "x" * 5000, "last"]
INPUT = "".join(line + "\n" for line in LINES).encode()
TIMEOUT = 120

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok " if ok else "FAIL ") + name + ("" if ok else "\n  " + detail.replace("\n", "\n  ")))
    sys.stdout.flush()


def run_pair(tmp, writer, reader, stdin=INPUT):
    """Runs reader and writer on a fresh FIFO; returns (writer, reader) CompletedProcess-like tuples."""
    fifo = os.path.join(tmp, "fifo-%d" % len(results))
    os.mkfifo(fifo, 0o600)
    out = {}

    def go(key, argv, data):
        p = subprocess.run(argv + [fifo], input=data, capture_output=True, timeout=TIMEOUT)
        out[key] = p

    t = threading.Thread(target=go, args=("r", reader, b""))
    t.start()
    go("w", writer, stdin)
    t.join(TIMEOUT)
    os.unlink(fifo)
    return out["w"], out["r"]


def describe(w, r):
    return (f"writer rc={w.returncode} err={w.stderr.decode(errors='replace').strip()}\n"
            f"reader rc={r.returncode} out={r.stdout[:300]!r} err={r.stderr.decode(errors='replace').strip()}")


def payload_lines(out):
    return out.decode("utf-8").split("\n")[:-1]


def last_json(out):
    import json
    lines = [l for l in out.decode("utf-8").splitlines() if l.strip()]
    return json.loads(lines[-1]) if lines else {}


def frames_json(out):
    import json
    return [bytes.fromhex(j["payload_hex"]).decode("utf-8") for j in
            (json.loads(l) for l in out.decode("utf-8").splitlines() if l.strip()) if j.get("kind") == "frame"]


def python_checks(tmp):
    # 1.1 writer -> 0.1 reader: refused at the preamble with a version error, nothing delivered.
    w, r = run_pair(tmp, NEW + ["send", "--header", "fc-id=1", "--heartbeat"], OLD_PY + ["recv"])
    check("py: 1.1 writer -> 0.1 peer.py: incompatible (version) at offset 0, nothing delivered",
          r.returncode != 0 and r.stdout == b"" and b"incompatible at offset 0" in r.stderr, describe(w, r))
    w, r = run_pair(tmp, NEW + ["send"], OLD_PY + ["recv"])
    check("py: 1.1 writer using no 1.1 feature -> 0.1 peer.py: still refused at the preamble",
          r.returncode != 0 and r.stdout == b"" and b"incompatible at offset 0" in r.stderr, describe(w, r))
    # 1.1 writer in 1.0 mode -> 0.1 reader: read cleanly.
    w, r = run_pair(tmp, NEW + ["send", "--wire-version", "1.0"], OLD_PY + ["recv"])
    check("py: 1.1 writer in 1.0 mode -> 0.1 peer.py: clean, every message",
          w.returncode == 0 and r.returncode == 0 and payload_lines(r.stdout) == LINES, describe(w, r))
    w, r = run_pair(tmp, NEW + ["send", "--wire-version", "1.0", "--checksum"], OLD_PY + ["recv"])
    check("py: 1.1 writer in 1.0 mode with checksums -> 0.1 peer.py: clean",
          r.returncode == 0 and payload_lines(r.stdout) == LINES, describe(w, r))
    # 1.0 mode, abort: no end at all, so the 0.1 reader reports truncated (never clean).
    w, r = run_pair(tmp, NEW + ["send", "--wire-version", "1.0", "--abort", "boom"], OLD_PY + ["recv"])
    check("py: 1.1 writer in 1.0 mode aborting -> 0.1 peer.py: truncated after every message",
          r.returncode != 0 and b"truncated" in r.stderr and payload_lines(r.stdout) == LINES, describe(w, r))
    # Byte for byte: 1.0 mode equals what the 0.1 writer writes.
    a, b = os.path.join(tmp, "new-1.0.bin"), os.path.join(tmp, "old.bin")
    subprocess.run(NEW + ["send", "--wire-version", "1.0", a], input=INPUT, check=True, timeout=TIMEOUT)
    subprocess.run(OLD_PY + ["send", b], input=INPUT, check=True, timeout=TIMEOUT)
    check("py: 1.0 mode is byte for byte the 0.1 writer's stream", open(a, "rb").read() == open(b, "rb").read())
    # A 1.0 writer session then a 1.1 one on one reader session: refused at the 1.1 preamble.
    c = os.path.join(tmp, "new-1.1.bin")
    subprocess.run(NEW + ["send", c], input=INPUT, check=True, timeout=TIMEOUT)
    both = os.path.join(tmp, "both.bin")
    with open(both, "wb") as f:
        f.write(open(b, "rb").read() + open(c, "rb").read())
    p = subprocess.run(OLD_PY + ["recv", both], capture_output=True, timeout=TIMEOUT)
    at = os.path.getsize(b)
    check("py: 0.1 writer then 1.1 writer -> 0.1 peer.py: first session delivered, refused at the second preamble",
          payload_lines(p.stdout) == LINES and f"incompatible at offset {at}".encode() in p.stderr,
          f"rc={p.returncode} err={p.stderr!r}")
    # 0.1 writer -> 1.1 reader.
    w, r = run_pair(tmp, OLD_PY + ["send"], NEW + ["recv"])
    check("py: 0.1 peer.py writer -> 1.1 reader: clean, every message",
          w.returncode == 0 and r.returncode == 0 and payload_lines(r.stdout) == LINES, describe(w, r))
    w, r = run_pair(tmp, OLD_PY + ["send"], NEW + ["recv", "--codec", "string", "--json"])
    check("py: 0.1 writer -> 1.1 reader (string codec, JSON lines): version 1 preamble, clean outcome",
          r.returncode == 0 and b'"version": 1' in r.stdout and last_json(r.stdout)["outcome"]["status"] == "clean",
          describe(w, r))
    # 1.1 both ends, the new records.
    w, r = run_pair(tmp, NEW + ["send", "--checksum", "--heartbeat", "--header", "fc-id=7", "--tag", "t"],
                    NEW + ["recv", "--json"])
    ok = r.returncode == 0 and frames_json(r.stdout) == LINES and b'"heartbeat"' in r.stdout \
        and b'"fc-id"' in r.stdout
    check("py: 1.1 writer -> 1.1 reader: headers, heartbeats, checksums, clean", ok, describe(w, r))
    w, r = run_pair(tmp, NEW + ["send", "--abort", "disk full"], NEW + ["recv"])
    check("py: 1.1 writer aborting -> 1.1 reader: every message, then aborted with the reason",
          r.returncode != 0 and payload_lines(r.stdout) == LINES and b"aborted: disk full" in r.stderr,
          describe(w, r))
    # The exclusive reader lock: a second 1.1 reader on the same FIFO is refused without reading.
    fifo = os.path.join(tmp, "locked")
    os.mkfifo(fifo, 0o600)
    first = subprocess.Popen(NEW + ["recv", fifo], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for _ in range(200):  # until the first reader holds the lock
            if any(f"FLOCK" in l and f" {first.pid} " in l for l in open("/proc/locks")):
                break
            threading.Event().wait(0.05)
        second = subprocess.run(NEW + ["recv", fifo], capture_output=True, timeout=TIMEOUT)
        check("py: a second 1.1 reader on a locked FIFO: FIFO busy, names the holder's pid",
              second.returncode == 3 and b"FIFO busy" in second.stderr and str(first.pid).encode() in second.stderr,
              f"rc={second.returncode} err={second.stderr!r}")
        subprocess.run(NEW + ["send", fifo], input=INPUT, timeout=TIMEOUT)
        out, err = first.communicate(timeout=TIMEOUT)
        check("py: the lock holder still reads the whole stream", first.returncode == 0 and payload_lines(out) == LINES,
              f"rc={first.returncode} err={err!r}")
    finally:
        if first.poll() is None:
            first.kill()


def other_checks(tmp, label, reader, writer):
    """reader/writer: argv prefixes of a 0.1 tool whose `read PATH` prints JSON lines and `write PATH`
    reads lines from stdin."""
    w, r = run_pair(tmp, NEW + ["send", "--header", "fc-id=1"], reader)
    o = last_json(r.stdout).get("outcome", {})
    check(f"{label}: 1.1 writer -> 0.1 reader: incompatible (version) at offset 0, nothing delivered",
          r.returncode != 0 and o.get("error") == "incompatible" and o.get("offset") == 0
          and "version" in o.get("message", "") and frames_json(r.stdout) == [], describe(w, r))
    w, r = run_pair(tmp, NEW + ["send", "--wire-version", "1.0", "--checksum"], reader)
    check(f"{label}: 1.1 writer in 1.0 mode -> 0.1 reader: clean, every message",
          r.returncode == 0 and frames_json(r.stdout) == LINES, describe(w, r))
    w, r = run_pair(tmp, NEW + ["send", "--wire-version", "1.0", "--abort", "boom"], reader)
    o = last_json(r.stdout).get("outcome", {})
    check(f"{label}: 1.1 writer in 1.0 mode aborting -> 0.1 reader: truncated",
          r.returncode != 0 and o.get("error") == "truncated" and frames_json(r.stdout) == LINES, describe(w, r))
    w, r = run_pair(tmp, writer, NEW + ["recv"])
    check(f"{label}: 0.1 writer -> 1.1 reader: clean, every message",
          w.returncode == 0 and r.returncode == 0 and payload_lines(r.stdout) == LINES, describe(w, r))
    w, r = run_pair(tmp, writer + ["--checksum"], NEW + ["recv", "--codec", "string"])
    check(f"{label}: 0.1 writer with checksums -> 1.1 reader (string codec): clean",
          w.returncode == 0 and r.returncode == 0 and payload_lines(r.stdout) == LINES, describe(w, r))


def frozen_check():
    """The frozen copies equal the v0.1.0 tag's files (skipped where git or the tag is missing)."""
    pairs = [("testdata/peer.py", "compat/v0.1/peer.py")]
    gdir, jdir = os.path.join(ROOT, "compat/v0.1/go"), os.path.join(ROOT, "compat/v0.1/java/src/main/java/dev/fifochan")
    pairs += [("go/" + n, "compat/v0.1/go/" + n) for n in sorted(os.listdir(gdir)) if n.endswith(".go")]
    pairs += [("api/src/main/java/dev/fifochan/" + n, "compat/v0.1/java/src/main/java/dev/fifochan/" + n)
              for n in sorted(os.listdir(jdir)) if n.endswith(".java")]
    try:
        subprocess.run(["git", "-C", ROOT, "rev-parse", "-q", "--verify", "v0.1.0^{commit}"], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        print("note: no git or no tag v0.1.0 here: the frozen copies are not compared")
        return
    changed = [copy for orig, copy in pairs if subprocess.run(
        ["git", "-C", ROOT, "show", "v0.1.0:" + orig], capture_output=True).stdout != open(os.path.join(ROOT, copy), "rb").read()]
    check("compat/v0.1: %d frozen files equal v0.1.0's" % len(pairs), not changed, "changed: " + ", ".join(changed))


def main():
    args = set(sys.argv[1:])
    if args - {"--python-only", "--go", "--java"}:
        sys.exit(__doc__)
    want_go = "--go" in args or ("--python-only" not in args and shutil.which("go"))
    want_java = "--java" in args or ("--python-only" not in args and shutil.which("mvn") and shutil.which("java"))
    with tempfile.TemporaryDirectory(prefix="fifochan-compat-") as tmp:
        frozen_check()
        python_checks(tmp)
        if want_go:
            exe = os.path.join(tmp, "fifochan-v01")
            b = subprocess.run(["go", "build", "-o", exe, "./cmd/fifochan-v01"], cwd=os.path.join(ROOT, "compat", "v0.1", "go"),
                               capture_output=True, timeout=600)
            check("go: build compat/v0.1/go", b.returncode == 0, b.stderr.decode(errors="replace"))
            if b.returncode == 0:
                other_checks(tmp, "go", [exe, "read"], [exe, "write"])
        if want_java:
            pom = os.path.join(ROOT, "compat", "v0.1", "java", "pom.xml")
            b = subprocess.run(["mvn", "-B", "-q", "-f", pom, "package"], capture_output=True, timeout=600)
            check("java: build compat/v0.1/java", b.returncode == 0, (b.stdout + b.stderr).decode(errors="replace")[-2000:])
            jar = os.path.join(ROOT, "compat", "v0.1", "java", "target", "fifochan-compat-v01.jar")
            if b.returncode == 0:
                other_checks(tmp, "java", ["java", "-jar", jar, "read"], ["java", "-jar", jar, "write", "--codec", "string"])
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    sys.exit(0 if passed == len(results) else 1)


if __name__ == "__main__":
    main()
