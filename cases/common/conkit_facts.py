"""conkit_facts — what a Python case imports to talk to conkit (stdlib only).

The Python twin of harness/include/conkit/facts.hpp: a case prints what a person would see on
stdout and writes structured facts to the file descriptor conkit passes in CONKIT_FACTS_FD.
Outside conkit (no CONKIT_FACTS_FD) facts are dropped, so a case runs fine by hand.

    import conkit_facts as ck
    u = ck.unit()                   # CONKIT_UNIT_MS in seconds (default 0.1)
    ck.begin("python_threading")    # facts unit_ms, model (, variant); marker line "ready" on stderr
    args = ck.begin_variant("python_asyncio", ("pool", "inline"), parser)  # --variant, then begin
    ck.say("Task 0 started...")     # one os.write per line: no buffering, lines never tear
    ck.fact("counter", 1234)        # {"fact":"counter","value":1234,"t_ns":...,"pid":...,"tid":...}
    ck.skip("needs 2 cores")        # exit code 77: SKIP with a reason

say() never relies on PYTHONUNBUFFERED (conkit does not pass it on): each line is written with
os.write, so it leaves the process the moment it is said, also from threads and forked children.

Thread and process safety: say() and fact() may be called from any thread or forked child at
once; each line is one write of at most PIPE_BUF bytes for facts, so lines never interleave.
Children started by spawn or forkserver do not inherit the facts descriptor (multiprocessing
passes only its own): there fact() checks that the descriptor is still the channel conkit opened
and drops the fact otherwise, so such children send their results to the parent instead.
"""
import argparse
import json
import math
import os
import select
import sys
import threading
import time

_FD_ENV = "CONKIT_FACTS_FD"
_ID_ENV = "CONKIT_FACTS_FD_ID"  # device:inode of the channel, recorded by the first importer


def _channel_id(fd):
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}"


def _facts_fd():
    try:
        return int(os.environ[_FD_ENV])
    except (KeyError, ValueError):
        return -1


# The first process that imports this module records which file the descriptor is; children
# inherit the environment, so a reused descriptor number in a spawned child is recognised.
if _facts_fd() >= 0 and _ID_ENV not in os.environ:
    _cid = _channel_id(_facts_fd())
    if _cid:
        os.environ[_ID_ENV] = _cid


def now_ns():
    """CLOCK_MONOTONIC in nanoseconds: the clock conkit stamps output with."""
    return time.monotonic_ns()


def unit():
    """The time unit u (CONKIT_UNIT_MS, default 100 ms), in seconds."""
    try:
        ms = int(os.environ.get("CONKIT_UNIT_MS", ""))
    except ValueError:
        ms = 0
    return (ms if ms > 0 else 100) / 1000.0


def _write_all(fd, data):
    while data:
        try:
            n = os.write(fd, data)
        except OSError:
            return  # nothing sensible to do: the reader is gone
        data = data[n:]


def say(line):
    """Prints one line to stdout with a single write (Python's stdout buffer is bypassed)."""
    try:
        sys.stdout.flush()  # keep order with anything printed through print()
    except (OSError, ValueError):
        pass
    _write_all(1, (str(line) + "\n").encode())


def fact(name, value):
    """Writes a fact. `value` is a number, bool or string."""
    fd = _facts_fd()
    if fd < 0 or _channel_id(fd) != os.environ.get(_ID_ENV):
        return
    if isinstance(value, float) and not math.isfinite(value):
        value = str(value)  # JSON has no inf/nan
    record = {"fact": name, "value": value, "t_ns": now_ns(), "pid": os.getpid(),
              "tid": threading.get_native_id()}
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    if len(line) > select.PIPE_BUF:
        # One write of at most PIPE_BUF bytes is atomic on a pipe; a longer one can interleave with
        # another writer's and tear both lines.
        raise ValueError(f"conkit fact {name!r}: the line is {len(line)} bytes, more than PIPE_BUF "
                         f"({select.PIPE_BUF}); it could tear")
    _write_all(fd, line)


def skip(reason):
    """Ends the case as SKIP with a reason (exit code 77)."""
    fact("skip_reason", reason)
    _write_all(2, f"SKIP: {reason}\n".encode())
    os._exit(77)


def begin(model, variant=None):
    """The facts every case writes, then the marker line `ready` on stderr.

    The marker is time zero for an expected file's single-event bounds (`marker: @ready`): it is
    said after the interpreter has started and the case's imports are done, so their 30-75 ms do
    not count against bounds about the scenario. stdout keeps only the scenario's own lines.
    """
    fact("unit_ms", round(unit() * 1000))
    fact("model", model)
    if variant is not None:
        fact("variant", variant)
    _write_all(2, b"ready\n")


def begin_variant(model, variants, parser=None):
    """Reads --variant (one of `variants`, the first by default) and the options `parser` declares,
    then begin(model, variant); returns the parsed arguments."""
    parser = parser or argparse.ArgumentParser()
    parser.add_argument("--variant", choices=variants, default=variants[0])
    args = parser.parse_args()
    begin(model, args.variant)
    return args


def usable_cores():
    """CPU affinity, bounded by a cgroup v2 CPU quota (cpu.max): what this process may really use."""
    cores = len(os.sched_getaffinity(0))
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        if quota != "max":
            cores = max(1, min(cores, math.floor(float(quota) / float(period))))
    except (OSError, ValueError):
        pass
    return cores
