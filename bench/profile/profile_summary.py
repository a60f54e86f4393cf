#!/usr/bin/env python3
"""Summarises async-profiler collapsed stacks (bench/profile/profile.sh) for the stacks under one frame.

  profile_summary.py FILE ROOT_FRAME [--top N] [--exclude SUBSTR ...]

Only stacks that contain a frame whose name contains ROOT_FRAME count (e.g. 'Variant$Fifochan.read',
the reading loop); shares are of those stacks' weight (samples for cpu, bytes for alloc). Prints:
- self: the leaf frame (the code that was running, kernel frames grouped as 'kernel: <syscall>'),
- inclusive: every fifochan/JDK frame below ROOT_FRAME with the share of stacks it is on,
- for alloc files, the allocated class (the leaf) with the frame that allocated it.
"""
import argparse
import collections
import re


def clean(f):
    return re.sub(r'_\[[jik0-9]\]$', '', f)


BUCKETS = [
    # (name, test on the leaf frame, test on the whole stack below the root), first match wins
    ('kernel: pipe mutex wait (the other side holds the pipe)', lambda l, st: l.endswith('_[k]') and ('mutex_spin_on_owner' in l or '__mutex_lock' in st and 'mutex' in l)),
    ('kernel: copy into/out of the pipe', lambda l, st: l.endswith('_[k]') and ('copy_to_iter' in l or 'copy_from_iter' in l or 'copy_page' in l or 'memcpy' in l or 'rep_movs' in l)),
    ('kernel: ppoll/futex/scheduling (waiting, waking)', lambda l, st: l.endswith('_[k]') and ('ppoll' in st or 'futex' in st or 'schedule' in l or 'finish_task_switch' in l or 'try_to_wake_up' in st)),
    ('kernel: rest of read()/write() (pipe pages, memcg, locks)', lambda l, st: l.endswith('_[k]')),
    ('GC / safepoint / VM runtime', lambda l, st: re.match(r'(G1|SafepointSynchronize|OptoRuntime|MemAllocator|TypeArrayKlass|InstanceKlass|CollectedHeap|ThreadLocalAllocBuffer|Interpreter|SharedRuntime)', l) is not None or 'OptoRuntime::new' in st),
    ('memset (zeroing a new array)', lambda l, st: 'memset' in l),
    ('payload copy (arraycopy stubs, copyMemory)', lambda l, st: 'arraycopy' in l or 'copyMemory' in l or 'Unsafe.copy' in l),
    ('jffi/jnr native call overhead', lambda l, st: 'jffi' in l or 'libjffi' in l or '__GI_' in l or 'Java_com_kenai' in l),
    ('codec: protobuf', lambda l, st: 'com/google/protobuf' in l or 'dev/fifochan/interop' in l or 'ProtobufCodec' in l),
    ('codec: Jackson', lambda l, st: 'com/fasterxml' in l or 'JsonCodec' in l),
    ('codec: bytes', lambda l, st: 'BytesCodec' in l),
    ('counters (LiveCounter release stores)', lambda l, st: 'VarHandle' in l or 'LiveCounter' in l),
    ('locks (ReentrantLock, AQS)', lambda l, st: 'locks/' in l),
    ('scheduler (ScheduledThreadPoolExecutor)', lambda l, st: 'ScheduledThreadPoolExecutor' in l or 'Scheduler' in l or 'DelayedWorkQueue' in l),
    ('frame decoding (FrameDecoder, DecodedRecord, ByteStreamSource)', lambda l, st: re.search(r'FrameDecoder|DecodedRecord|ByteStreamSource|FrameDescriptor|HeaderBlockView|HeaderList', l) is not None),
    ('frame encoding (ByteStreamSink, FrameEncoder, PayloadSink)', lambda l, st: re.search(r'ByteStreamSink|FrameEncoder|PayloadSink|ArrayPayloadSink', l) is not None),
    ('Receiver (poll, nextFrame, decode, delivered)', lambda l, st: 'dev/fifochan/Receiver' in l),
    ('Sender (send, place, tagBytes, armIdleFlush)', lambda l, st: 'dev/fifochan/Sender' in l),
    ('transport (FifoReadChannel/FifoWriteChannel, LibC)', lambda l, st: 'dev/fifochan/fifo' in l),
    ('rpc (client, responder, link)', lambda l, st: 'dev/fifochan/rpc' in l),
    ('java.nio.Buffer accessors', lambda l, st: 'java/nio/' in l),
    ('the benchmark loop / handler', lambda l, st: 'dev/fifochan/bench' in l),
]


def bucket(below):
    leaf = below[-1] if below else '?'
    st = ';'.join(below)
    for name, test in BUCKETS:
        if test(leaf, st):
            return name
    return 'other: ' + clean(leaf)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('file')
    ap.add_argument('root')
    ap.add_argument('--top', type=int, default=25)
    ap.add_argument('--exclude', action='append', default=[])
    ap.add_argument('--buckets', action='store_true', help='also group self time into cost buckets')
    a = ap.parse_args()
    buckets = collections.Counter()
    total = 0
    self_w = collections.Counter()
    incl = collections.Counter()
    alloc_site = collections.Counter()
    kernel = collections.Counter()
    is_alloc = '/alloc-' in a.file or a.file.split('/')[-1].startswith('alloc')
    for line in open(a.file):
        line = line.rstrip('\n')
        if not line:
            continue
        stack, _, w = line.rpartition(' ')
        w = int(w)
        frames = stack.split(';')
        idx = next((i for i, f in enumerate(frames) if a.root in f), None)
        if idx is None or any(x in stack for x in a.exclude):
            continue
        total += w
        below = frames[idx + 1:]
        if a.buckets:
            buckets[bucket(below)] += w
        leaf = frames[-1]
        if leaf.endswith('_[k]'):
            # group kernel time by the first kernel frame after the user-space caller (the syscall)
            ks = [f for f in below if f.endswith('_[k]')]
            user = [f for f in below if not f.endswith('_[k]')]
            key = 'kernel: ' + clean(ks[0]) + ' <- ' + (clean(user[-1]) if user else '?') + ' | leaf ' + clean(leaf)
            kernel['kernel: ' + clean(ks[0]) + ' <- ' + (clean(user[-1]) if user else '?')] += w
            self_w['(kernel) ' + clean(leaf)] += w
        else:
            self_w[clean(leaf)] += w
        seen = set()
        for f in below:
            c = clean(f)
            if c not in seen:
                seen.add(c)
                incl[c] += w
        if is_alloc:
            user = [clean(f) for f in below if not f.endswith('_[k]')]
            site = next((f for f in reversed(user[:-1]) if not f.startswith(('java/lang/', 'jdk/internal/', 'java/util/', 'java/nio/HeapByteBuffer', 'java/nio/ByteBuffer'))), '?')
            alloc_site[clean(leaf) + '  @ ' + site] += w
    if total == 0:
        print('no stacks under', a.root)
        return
    unit = 'bytes' if is_alloc else 'samples'
    print(f'{a.file}: {total} {unit} under {a.root}')
    print('\n-- self (leaf) --')
    for k, v in self_w.most_common(a.top):
        print(f'{100.0 * v / total:6.1f}%  {k}')
    if a.buckets:
        print('\n-- buckets (self time) --')
        rest = 0
        for k, v in buckets.most_common():
            if 100.0 * v / total >= 0.5:
                print(f'{100.0 * v / total:6.1f}%  {k}')
            else:
                rest += v
        print(f'{100.0 * rest / total:6.1f}%  (everything below 0.5% each)')
    if kernel:
        print('\n-- kernel, by entry and caller --')
        for k, v in kernel.most_common(12):
            print(f'{100.0 * v / total:6.1f}%  {k}')
    print('\n-- inclusive --')
    for k, v in incl.most_common(a.top * 2):
        print(f'{100.0 * v / total:6.1f}%  {k}')
    if is_alloc:
        print('\n-- allocated (class @ allocating frame) --')
        for k, v in alloc_site.most_common(a.top):
            print(f'{100.0 * v / total:6.1f}%  {k}')


if __name__ == '__main__':
    main()
