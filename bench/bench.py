#!/usr/bin/env python3
"""ci/bench's driver: conkit's costs, each measured beside its anchor in the same run.

In-process parts come from the Google Benchmark binary (conkit_bench); whole-process figures are
wall time and peak RSS from wait4(2) of the child (its own peak or its waited descendants',
whichever is higher). Pairs are run A B A B ... and the median of each side is reported, so the
machine's drift hits both. Writes <build>/bench/bench.json and prints a table.

    ci/bench [--quick] [--no-verify]
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

FILECHECK = "/usr/lib/llvm-14/bin/FileCheck"

# key: (op, bound) — the targets of issue 11 (docs/performance.md).
TARGETS = {
    "grade_1m_vs_filecheck_speed": (">=", 5),
    "grade_1m_seq_vs_filecheck_speed": (">=", 5),
    "grade_1m_vs_filecheck_rss": ("<=", 1.5),
    "grade_1m_seq_vs_filecheck_rss": ("<=", 1.5),
    "grade_1m_json_vs_filecheck_rss": ("<=", 1.5),
    "grade_1m_seq_json_vs_filecheck_rss": ("<=", 1.5),
    "grade_1m_seq_json_mb": ("<=", 16),
    "yes_flood_s": ("<=", 3),
    "yes_flood_rss_mb": ("<=", 160),
    "facts_1m_s": ("<=", 1),
    "facts_1m_rss_mb": ("<=", 200),
    "run_overhead_ms": ("<=", 1.5),
    "stamp_lag_p99_ms": ("<=", 0.2),
    "capture_long_vs_pipe": (">=", 0.5),
}


def measure(argv, timeout=300, env=None):
    """Runs argv to the end; returns (wall seconds, peak RSS bytes, exit code)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=env)
    killer = threading.Timer(timeout, lambda: os.kill(p.pid, signal.SIGKILL))
    killer.start()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    killer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss * 1024, p.returncode


def paired(a, b, reps):
    """Runs a and b alternately `reps` times each; returns ((wall, rss) median of a, same of b)."""
    ra, rb = [], []
    for _ in range(reps):
        ra.append(measure(a))
        rb.append(measure(b))
    med = lambda rs, k: statistics.median(r[k] for r in rs)
    return (med(ra, 0), med(ra, 1), ra[-1][2]), (med(rb, 0), med(rb, 1), rb[-1][2])


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def expect_file(tmp, name, body):
    return write(os.path.join(tmp, name + ".expect"), f"scenario: bench\nmodel: {name}\n{body}")


def percentile(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(q * (len(v) - 1) + 0.5))]


def stamp_lags(conkit, produce, tmp, n, gap_us):
    exp = expect_file(tmp, "stamps", f"count out /^stamp / == {n}\n")
    out = os.path.join(tmp, "stamps.json")
    measure([conkit, "check", "--expect", exp, "--json", out, "--keep-lines", "all", "--", produce, "stamps",
             str(n), str(gap_us)])
    with open(out) as f:
        run = json.load(f)["cases"][0]["runs"][0]
    spawn_ns = run["spawn_ns"]
    lags = [l["t_ms"] - (int(l["text"].split()[1]) - spawn_ns) / 1e6 for l in run["lines"] if l["text"].startswith("stamp ")]
    return {"p50": percentile(lags, 0.5), "p99": percentile(lags, 0.99), "max": max(lags), "n": len(lags)}


def busy_cores(k):
    """k spinning processes (both cores busy), to be killed by the caller."""
    return [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(k)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build/default")
    ap.add_argument("--quick", action="store_true", help="one repetition per pair, shorter in-process runs")
    ap.add_argument("--no-verify", action="store_true", help="skip the `conkit verify` total time (minutes)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    conkit = os.path.join(build, "bin", "conkit")
    produce = os.path.join(build, "bench", "produce")
    gbench = os.path.join(build, "bench", "conkit_bench")
    reps = 1 if args.quick else 3
    fig, anchors, notes = {}, {}, {}
    tmp = tempfile.mkdtemp(prefix="conkit-bench-")
    try:
        # ---- in-process (Google Benchmark) ----
        gb_out = os.path.join(tmp, "gbench.json")
        env = dict(os.environ, PRODUCE=produce)
        subprocess.run([gbench, f"--benchmark_min_time={0.2 if args.quick else 1.0}", "--benchmark_format=console",
                        f"--benchmark_out={gb_out}", "--benchmark_out_format=json"], check=True, env=env,
                       stdout=sys.stderr)
        with open(gb_out) as f:
            gb = {b["name"]: b for b in json.load(f)["benchmarks"]}
        c2, p2 = gb["Capture/conkit/2/real_time"], gb["Capture/pipe/2/real_time"]
        c1k, p1k = gb["Capture/conkit/1024/real_time"], gb["Capture/pipe/1024/real_time"]
        fig["capture_short_lines_per_s"] = c2["items_per_second"]
        anchors["capture_short_pipe_lines_per_s"] = p2["items_per_second"]
        fig["capture_short_vs_pipe"] = c2["items_per_second"] / p2["items_per_second"]
        fig["capture_long_mb_per_s"] = c1k["bytes_per_second"] / 1e6
        anchors["capture_long_pipe_mb_per_s"] = p1k["bytes_per_second"] / 1e6
        fig["capture_long_vs_pipe"] = c1k["bytes_per_second"] / p1k["bytes_per_second"]
        fig["expect_parse_mb_per_s"] = gb["ParseExpect"]["bytes_per_second"] / 1e6
        fig["fact_lines_per_s"] = gb["FactLines"]["items_per_second"]
        fig["transcript_add_lines_per_s"] = gb["TranscriptAdd"]["items_per_second"]

        # ---- 1M lines graded, against FileCheck ----
        data = os.path.join(tmp, "data.txt")
        with open(data, "w") as f:
            subprocess.run([produce, "data", "1000000"], stdout=f, check=True)
        check = write(os.path.join(tmp, "check.txt"), "CHECK-COUNT-1000000: {{^data [0-9]+$}}\n")
        fc = [FILECHECK, check, "--input-file", data]
        forms = {"": "count out /^data [0-9]+$/ == 1000000\n", "_seq": "out /^data [0-9]+$/ x1000000\n"}
        for form, body in forms.items():
            exp = expect_file(tmp, "grade" + form, body)
            for json_out in (False, True):
                jpath = os.path.join(tmp, f"grade{form}.json")
                cmd = [conkit, "check", "--expect", exp] + (["--json", jpath] if json_out else []) + ["--", "cat", data]
                (cw, cr, cx), (fw, fr, fx) = paired(cmd, fc, reps)
                if cx != 0 or fx != 0:
                    notes[f"grade_1m{form}{'_json' if json_out else ''}"] = f"exit codes conkit {cx}, FileCheck {fx}"
                tag = f"grade_1m{form}{'_json' if json_out else ''}"
                fig[f"{tag}_s"] = cw
                fig[f"{tag}_rss_mb"] = cr / 1e6
                anchors[f"{tag}_filecheck_s"] = fw
                anchors[f"{tag}_filecheck_rss_mb"] = fr / 1e6
                fig[f"{tag}_vs_filecheck_speed"] = fw / cw
                fig[f"{tag}_vs_filecheck_rss"] = cr / fr
                if json_out:
                    fig[f"{tag}_mb"] = os.path.getsize(jpath) / 1e6
        # peak RSS per captured line: the 1M-line count run against a 1-line run
        one = expect_file(tmp, "one", "count out /^data/ == 1\n")
        small = statistics.median(measure([conkit, "check", "--expect", one, "--", produce, "data", "1"])[1]
                                  for _ in range(reps))
        fig["rss_bytes_per_line"] = (fig["grade_1m_rss_mb"] * 1e6 - small) / 1e6
        anchors["rss_1_line_mb"] = small / 1e6

        # ---- per-run overhead, paired with the bare program ----
        true_exp = expect_file(tmp, "true", "exit: 0\n")
        diffs = []
        for _ in range(10 if args.quick else 30):
            a = measure([conkit, "check", "--expect", true_exp, "--", "/bin/true"])[0]
            b = measure(["/bin/true"])[0]
            diffs.append((a - b) * 1000)
        fig["run_overhead_ms"] = statistics.median(diffs)

        # ---- arrival-stamp lag: idle, then with both cores busy ----
        lag = stamp_lags(conkit, produce, tmp, 2000, 500)
        fig["stamp_lag_p50_ms"], fig["stamp_lag_p99_ms"], fig["stamp_lag_max_ms"] = lag["p50"], lag["p99"], lag["max"]
        spinners = busy_cores(2)
        try:
            lag = stamp_lags(conkit, produce, tmp, 2000, 500)
        finally:
            for s in spinners:
                s.kill()
                s.wait()
        fig["stamp_lag_busy_p50_ms"], fig["stamp_lag_busy_p99_ms"], fig["stamp_lag_busy_max_ms"] = (
            lag["p50"], lag["p99"], lag["max"])

        # ---- 1M facts; yes to the output cap ----
        facts_exp = expect_file(tmp, "facts", "exit: 0\n")
        runs = [measure([conkit, "check", "--expect", facts_exp, "--", produce, "facts", "1000000"]) for _ in range(reps)]
        fig["facts_1m_s"] = statistics.median(r[0] for r in runs)
        fig["facts_1m_rss_mb"] = statistics.median(r[1] for r in runs) / 1e6
        flood_exp = expect_file(tmp, "flood", "exit: 0\n")
        runs = [measure([conkit, "check", "--expect", flood_exp, "--expect-status", "FLOOD", "--", "yes"]) for _ in range(reps)]
        fig["yes_flood_s"] = statistics.median(r[0] for r in runs)
        fig["yes_flood_rss_mb"] = statistics.median(r[1] for r in runs) / 1e6
        if runs[-1][2] != 0:
            notes["yes_flood"] = "the run did not end FLOOD"

        # ---- conkit verify, whole ----
        if not args.no_verify:
            out = os.path.join(tmp, "verify")
            wall, rss, code = measure([conkit, "verify", "--out", out], timeout=3600)
            fig["verify_total_s"] = wall
            notes["verify"] = f"exit {code}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    checks = {}
    for key, (op, bound) in TARGETS.items():
        if key in fig:
            v = fig[key]
            checks[key] = {"op": op, "bound": bound, "ok": v >= bound if op == ">=" else v <= bound}
    doc = {"figures": fig, "anchors": anchors, "targets": checks, "notes": notes,
           "machine": {"cpus": os.cpu_count(), "load_before_end": os.getloadavg()[0]}}
    os.makedirs(os.path.join(build, "bench"), exist_ok=True)
    with open(os.path.join(build, "bench", "bench.json"), "w") as f:
        json.dump(doc, f, indent=2)
    print(f"{'key':38} {'value':>14}  target")
    for key, v in fig.items():
        t = checks.get(key)
        target = f"{t['op']} {t['bound']}  {'ok' if t['ok'] else 'MISSED'}" if t else ""
        print(f"{key:38} {v:14.4g}  {target}")
    for key, v in anchors.items():
        print(f"  anchor {key:31} {v:14.4g}")
    for key, v in notes.items():
        print(f"  note {key}: {v}")
    print(f"wrote {os.path.join(build, 'bench', 'bench.json')} (load average {os.getloadavg()[0]:.2f})")
    return 0 if all(c["ok"] for c in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
