#!/usr/bin/env python3
"""Fault tests: hostile programs under `conkit check` (and `conkit verify`).

    faults.py CONKIT NAME

Each test runs one hostile program, with a unique marker argument, under conkit, and asserts the
status, the message, that the JSON report parses and that no process carrying the marker is alive
afterwards. Every program is bounded on its own (a storm forks at most 64 children, a hog
allocates at most 512 MiB, every sleep ends) and runs under the limit that stops it first.
"""
import functools
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid

CONKIT = os.path.realpath(sys.argv[1])
NAME = sys.argv[2]
PY = os.path.realpath(sys.executable)
MARKER = "conkit-fault-" + uuid.uuid4().hex[:12]
TMP = tempfile.mkdtemp(prefix="conkit-faults-")
BOUND_S = 60  # no test may take longer (ctest's TIMEOUT is larger)


def fail(msg):
    print(f"FAIL {NAME}: {msg}")
    sys.exit(1)


def write(name, text, mode=0o644):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def marked_pids(case_only=False):
    """Processes with MARKER in their command line; case_only: not conkit or conkit-init themselves
    (conkit check has the case's argv, MARKER included, in its own)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if MARKER.encode() not in cmdline:
            continue
        if case_only and os.path.basename(cmdline.split(b"\0")[0]) in (b"conkit", b"conkit-init"):
            continue
        pids.append(int(d))
    return pids


def assert_nothing_left():
    left = marked_pids()
    if left:
        for p in left:
            try:
                os.kill(p, signal.SIGKILL)  # clean up for the next test, then fail
            except OSError:
                pass
        fail(f"processes of the case still alive after conkit ended: {left}")


def header(extra=""):
    return "scenario: faults\nmodel: " + NAME + "\n" + extra


def program(code):
    return [PY, "-c", code, MARKER]


def check(expect_text, code=None, argv=None, args=(), json_name="r.json", timeout=BOUND_S):
    expect = write("t.expect", header(expect_text))
    out = os.path.join(TMP, json_name)
    cmd = [CONKIT, "check", "--expect", expect, "--json", out, *args, "--", *(argv or program(code))]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)
    return p, out


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        fail(f"the JSON report {path} does not parse: {e}")


def expect_status(p, out, status, *texts, code=None):
    doc = load(out)
    got = doc["cases"][0]["status"]
    if got != status:
        fail(f"status {got}, wanted {status}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
    for t in texts:
        if t not in p.stdout:
            fail(f"the text output does not say {t!r}\n--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
    if code is not None and p.returncode != code:
        fail(f"exit {p.returncode}, wanted {code}\n{p.stdout}\n{p.stderr}")
    assert_nothing_left()
    return doc


def run0(doc):
    return doc["cases"][0]["runs"][0]


# ---- the tests ------------------------------------------------------------------------------------

SLEEP = "import time; time.sleep(300)"


def t_hang():
    p, out = check("timeout: 300ms\n", SLEEP)
    expect_status(p, out, "TIMEOUT", "timed out", code=1)


def t_sigterm_ignored():
    # Ignored from the first instruction: a shell sets SIG_IGN, which exec keeps (a Python that set
    # it itself could still be starting up, and die of the SIGTERM, when the timeout fires).
    argv = ["/bin/sh", "-c", 'trap "" TERM; exec "$0" -c "import time; time.sleep(300)" "$1"', PY, MARKER]
    p, out = check("timeout: 300ms\n", argv=argv)
    doc = expect_status(p, out, "TIMEOUT", "timed out", code=1)
    if not any("SIGKILL" in n for n in run0(doc)["notes"]):
        fail("no note says the case was SIGKILLed after ignoring SIGTERM")


ESCAPE = """
import os, sys, time
if os.fork() == 0:
    os.setsid()
    {close}
    time.sleep(300)
    os._exit(0)
print("main done", flush=True)
"""


def t_setsid_escapee_stdio_open():
    p, out = check('out "main done"\n', ESCAPE.format(close="pass"))
    doc = expect_status(p, out, "PASS", "killed 1 stray: pid", "(left the process group)", code=0)
    if not run0(doc)["pipe_held_after_exit"]:
        fail("the held stdout was not noted")


def t_setsid_escapee_stdio_closed():
    p, out = check('out "main done"\n', ESCAPE.format(close="os.closerange(0, 1024)"))
    doc = expect_status(p, out, "PASS", "killed 1 stray: pid", "(left the process group)", code=0)
    if len(run0(doc)["containment"]["strays"]) != 1:
        fail("the JSON does not list the stray")


def t_strays_forbidden():
    p, out = check('strays: forbidden\nout "main done"\n', ESCAPE.format(close="os.closerange(0, 1024)"))
    expect_status(p, out, "FAIL", "strays: forbidden, but killed 1 stray", code=1)


def t_double_fork_daemon():
    code = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 1024)
        time.sleep(300)
    os._exit(0)
os.wait()
print("daemon started", flush=True)
"""
    p, out = check('out "daemon started"\n', code)
    expect_status(p, out, "PASS", "killed 1 stray: pid", "(left the process group)", code=0)


def t_closed_stdout_stderr():
    code = "import os, time; os.close(1); os.close(2); time.sleep(0.2)"
    p, out = check("exit: 0\n", code)
    expect_status(p, out, "PASS", code=0)


def t_line_200mb():
    code = """
import os
chunk = b"x" * (1 << 20)
for _ in range(200):
    os.write(1, chunk)
"""
    # 200 MB without a newline against an 8 MiB cap: conkit keeps 8 MiB of it, never all of it
    # (a 64 MiB line, the default cap, takes ~5 s to render into text, JSON and JUnit here and
    # over 40 s under ASan on a busy 2-core machine: past this test's bound, for no more proof).
    p, out = check('out "never"\n', code, args=["--output-limit", "8MiB"])
    doc = expect_status(p, out, "FLOOD", "stdout passed the output cap", "output limit of 8.00 MiB", code=1)
    if not run0(doc)["truncated"]["out"]:
        fail("stdout not marked truncated")


FLOOD = """
import os
fds = {fds}
line = b"flood line\\n" * 100
for _ in range(1000000):
    for fd in fds:
        os.write(fd, line)
"""


def flood(fds, what):
    p, out = check('out "never"\n', FLOOD.format(fds=fds), args=["--output-limit", "1MiB"])
    expect_status(p, out, "FLOOD", what, code=1)


def t_flood_stdout():
    flood("[1]", "stdout passed the output cap")


def t_flood_stderr():
    flood("[2]", "stderr passed the output cap")


def t_flood_facts():
    flood("[int(os.environ['CONKIT_FACTS_FD'])]", "the facts channel passed the output cap")


def t_flood_all_streams():
    flood("[1, 2, int(os.environ['CONKIT_FACTS_FD'])]", "passed the output cap")


def t_children_150():
    code = """
import os, time
for _ in range(150):
    if os.fork() == 0:
        os.closerange(0, 1024)
        time.sleep(300)
        os._exit(0)
print("forked", flush=True)
"""
    p, out = check('out "forked"\n', code)
    doc = expect_status(p, out, "PASS", "killed 150 strays", code=0)
    if run0(doc)["stray_processes_killed"] != 150:
        fail("stray count is not 150")


def t_memory_limit():
    code = """
chunks = []
for _ in range(512):
    chunks.append(bytearray(1 << 20))  # zero-filled: touched, resident
print("allocated 512 MiB", flush=True)
"""
    p, out = check("memory-limit: 64MiB\nout \"allocated 512 MiB\"\n", code)
    doc = expect_status(p, out, "LIMIT", "memory limit 64 MiB reached (peak", code=1)
    if run0(doc)["containment"]["peak_memory_bytes"] is None:
        fail("no peak memory in the JSON")


def t_process_storm():
    code = """
import os, time
kids = 0
for _ in range(64):
    try:
        if os.fork() == 0:
            time.sleep(300)
            os._exit(0)
        kids += 1
    except OSError:
        time.sleep(0.01)
time.sleep(300)
"""
    p, out = check("process-limit: 16\ntimeout: 20s\n", code)
    expect_status(p, out, "LIMIT", "process limit 16 reached", code=1)


def t_cpu_limit():
    code = "while True: pass"
    p, out = check("cpu-limit: 300ms\ntimeout: 20s\n", code)
    doc = expect_status(p, out, "LIMIT", "cpu limit", code=1)
    if run0(doc)["containment"]["cpu_ms"] is None:
        fail("no CPU time in the JSON")


def t_invalid_utf8():
    code = "import os; os.write(1, b'bad \\xff\\xfe bytes\\n')"
    p, out = check("out /bad .* bytes/\n", code)
    doc = expect_status(p, out, "PASS", code=0)
    if "hex" not in run0(doc)["lines"][0]:
        fail("the invalid bytes are not kept as hex")


def t_torn_lines():
    code = """
import os, time
os.write(1, b"par"); time.sleep(0.05); os.write(1, b"tial\\n"); os.write(1, b"last")
"""
    p, out = check('out "partial"\nout "last"\n', code)
    expect_status(p, out, "PASS", code=0)


def t_torn_facts():
    code = """
import os
fd = int(os.environ["CONKIT_FACTS_FD"])
os.write(fd, b'{"fact":"a","va')
os.write(fd, b'{"fact":"b","value":1}\\n')
os.write(fd, b'lue":1}\\n')
"""
    p, out = check("exit: 0\n", code)
    doc = expect_status(p, out, "PASS", "2 bad fact lines (torn or not a fact)", code=0)
    if run0(doc)["containment"]["bad_fact_lines"] != 2:
        fail("bad fact lines not counted")


def t_facts_writer_refuses_long_lines():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "cases", "common"))
    code = f"""
import sys; sys.path.insert(0, {sys.path[0]!r})
import conkit_facts as ck
ck.fact("short", 1)
try:
    ck.fact("long", "x" * 5000)
except ValueError as e:
    print("refused:", e, flush=True)
"""
    p, out = check('out /^refused: .*more than PIPE_BUF/\n', code)
    expect_status(p, out, "PASS", code=0)


def t_missing_binary():
    p, out = check('out "x"\n', argv=["/nonexistent/conkit-missing", MARKER])
    expect_status(p, out, "ERROR", "/nonexistent/conkit-missing", code=1)


def invalid_expect(path, what):
    out = os.path.join(TMP, "r.json")
    t0 = time.monotonic()
    p = subprocess.run([CONKIT, "check", "--expect", path, "--json", out, "--", *program(SLEEP)],
                       capture_output=True, text=True, timeout=BOUND_S)
    if time.monotonic() - t0 > 10:
        fail("an invalid --expect took more than 10 s to be refused")
    expect_status(p, out, "INVALID", what, code=1)


def t_expect_directory():
    invalid_expect(TMP, "is a directory")


def t_expect_fifo():
    path = os.path.join(TMP, "fifo.expect")
    os.mkfifo(path)
    invalid_expect(path, "is a FIFO")


def t_expect_device():
    invalid_expect("/dev/zero", "is a device")


def t_expect_oversized():
    path = os.path.join(TMP, "big.expect")
    with open(path, "wb") as f:
        f.truncate(17 << 20)  # sparse: no real 17 MiB written
    invalid_expect(path, "more than the limit of 16 MiB")


def t_expect_unreadable():
    path = write("secret.expect", header('out "x"\n'), mode=0o000)
    if os.geteuid() == 0:
        # root reads any file: run conkit as nobody (it must reach the binary and the file's dir).
        os.chmod(TMP, 0o755)
        out = os.path.join(TMP, "r.json")
        os.chmod(TMP, 0o777)
        p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", CONKIT, "check",
                            "--expect", path, "--json", out, "--", *program(SLEEP)],
                           capture_output=True, text=True, timeout=BOUND_S)
        if "Permission denied" in p.stderr and not os.path.exists(out):
            print(f"SKIP {NAME}: nobody cannot run {CONKIT} here")
            sys.exit(77)
        expect_status(p, out, "INVALID", "Permission denied", code=1)
    else:
        invalid_expect(path, "Permission denied")


def t_regex_over_limit():
    code = "print('a' * 40 + 'b', flush=True)"
    p, out = check("not out /(a+)+$|b$/\n", code)
    expect_status(p, out, "FAIL", "regex /(a+)+$|b$/ exceeded the matcher's complexity limit on stdout line 1",
                  code=1)


def wait_for_marker(n=1, within_s=20):
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if len(marked_pids(case_only=True)) >= n:
            return
        time.sleep(0.05)
    fail("the case never started")


def signal_check(sig, code):
    expect = write("t.expect", header('out "never"\n'))
    out = os.path.join(TMP, "r.json")
    conkit = subprocess.Popen([CONKIT, "check", "--expect", expect, "--json", out, "--", *program(SLEEP)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_marker()
    conkit.send_signal(sig)
    stdout, stderr = conkit.communicate(timeout=BOUND_S)
    p = subprocess.CompletedProcess(conkit.args, conkit.returncode, stdout, stderr)
    doc = expect_status(p, out, "INTERRUPTED", "interrupted by " + signal.Signals(sig).name, code=code)
    if doc.get("complete") is not False or "interrupted" not in doc.get("incomplete_reason", ""):
        fail("the report is not marked incomplete")
    if "TIMEOUT" in stdout:
        fail("an interrupted run is reported as a timeout")


def signal_verify(sig, code):
    expect = write("t.expect", header('out "never"\n'))
    manifest = write("cases.json", json.dumps({"cases": [{
        "name": "slow", "scenario": "faults", "model": NAME, "expect": expect, "argv": program(SLEEP),
        "labels": ["case"]}]}))
    registry = write("claims.json", json.dumps({"claims": [{
        "id": "slow-claim", "claim": "c", "sources": [],
        "scopes": {"native": {"checks": [{"scenario": "faults", "model": NAME, "fact": "x", "op": "==",
                                          "bound": 1, "reason": "r"}]}}}]}))
    outdir = os.path.join(TMP, "report")
    conkit = subprocess.Popen([CONKIT, "verify", "--manifest", manifest, "--registry", registry, "--out", outdir],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_marker(within_s=40)  # calibration comes first
    conkit.send_signal(sig)
    stdout, stderr = conkit.communicate(timeout=BOUND_S)
    if conkit.returncode != code:
        fail(f"verify exited {conkit.returncode}, wanted {code}\n{stdout}\n{stderr}")
    raw = load(os.path.join(outdir, "results.json"))
    if raw.get("complete") is not False or signal.Signals(sig).name not in raw.get("incomplete_reason", ""):
        fail(f"results.json is not marked incomplete by {signal.Signals(sig).name}: {raw.get('incomplete_reason')}")
    statuses = [c["status"] for c in raw.get("cases", [])]
    if statuses != ["INTERRUPTED"]:
        fail(f"the running case is {statuses}, wanted INTERRUPTED")
    assert_nothing_left()


# Each stop signal with the exit status conkit must give for it (128 + the signal), under check and
# under verify: t_sigint_check, t_sigint_verify, t_sigterm_check, ...
STOP_SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]
for _sig, _code in STOP_SIGNALS:
    for _command, _test in (("check", signal_check), ("verify", signal_verify)):
        globals()[f"t_{_sig.name.lower()}_{_command}"] = functools.partial(_test, _sig, _code)


def t_conkit_sigkilled():
    code = ESCAPE.format(close="os.closerange(0, 1024)") + "import time; time.sleep(300)\n"
    expect = write("t.expect", header('out "main done"\n'))
    conkit = subprocess.Popen([CONKIT, "check", "--expect", expect, "--", *program(code)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_marker(2)  # the main process and its setsid child
    conkit.kill()
    conkit.wait(timeout=BOUND_S)
    deadline = time.monotonic() + 5  # PR_SET_PDEATHSIG acts at once; allow for a busy machine
    while marked_pids() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert_nothing_left()
    # Its cgroups outlive it (nobody else removes them); the next conkit's first case removes
    # them, once they are 2 s old and empty.
    left = cgroups_of(conkit.pid)
    if left:
        time.sleep(max(0.0, 2.2 - (time.time() - min(os.stat(d).st_mtime for d in left))))
        p, _ = check('out "hello"\n', "print('hello')")
        if p.returncode != 0:
            fail(f"the next conkit check failed: {p.stdout}{p.stderr}")
        still = cgroups_of(conkit.pid)
        if still:
            fail(f"the SIGKILLed conkit's cgroups are still there after the next run: {still}")


def cgroups_of(pid):
    """The cgroup directories conkit `pid` made (conkit-PID-N), in every cgroup hierarchy."""
    mounts = [line.split()[1] for line in open("/proc/mounts") if line.split()[2] in ("cgroup", "cgroup2")]
    prefix = f"conkit-{pid}-"
    found = []
    for m in mounts:
        for root, dirs, _ in os.walk(m):
            found += [os.path.join(root, d) for d in dirs if d.startswith(prefix)]
            dirs[:] = [d for d in dirs if not d.startswith("conkit-")]
    return found


def t_two_conkits_one_json():
    expect = write("t.expect", header('out "hello"\n'))
    out = os.path.join(TMP, "shared.json")
    code = "import time; print('hello', flush=True); time.sleep(0.3)"
    procs = [subprocess.Popen([CONKIT, "check", "--expect", expect, "--json", out, "--name", f"writer{i}", "--",
                               *program(code)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(2)]
    for pr in procs:
        pr.communicate(timeout=BOUND_S)
        if pr.returncode != 0:
            fail(f"a writer exited {pr.returncode}")
    doc = load(out)
    if doc["cases"][0]["name"] not in ("writer0", "writer1"):
        fail("the report is not one writer's whole report")
    left = [f for f in os.listdir(TMP) if f.startswith(".shared.json")]
    if left:
        fail(f"temporary files left: {left}")
    assert_nothing_left()


def t_json_write_error():
    expect = write("t.expect", header('out "hello"\n'))
    p = subprocess.run([CONKIT, "check", "--expect", expect, "--json", "/proc/conkit-no-such-dir/r.json", "--",
                        *program("print('hello')")], capture_output=True, text=True, timeout=BOUND_S)
    if p.returncode == 0 or "/proc/conkit-no-such-dir" not in p.stderr:
        fail(f"a failed report write is not an error: exit {p.returncode}\n{p.stderr}")
    assert_nothing_left()


if __name__ == "__main__":
    test = globals().get("t_" + NAME)
    if test is None:
        fail("no such fault test")
    try:
        test()
    except subprocess.TimeoutExpired as e:
        fail(f"conkit did not end within {BOUND_S} s: {e}")
    finally:
        for p in marked_pids():
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    print(f"ok {NAME}")
