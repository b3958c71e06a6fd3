#!/usr/bin/env bash
# Renders conkit's HTML report of a real (small) verify run in headless Chromium and checks that the
# page loads and its plots are drawn with data: the speedup points, the spawn-cost and memory bars,
# and the timeline events. Exit 77 (SKIP) when Chromium is not installed.
set -euo pipefail
conkit=$1 chromium=${2:-}
[ -n "$chromium" ] && [ -x "$chromium" ] || { echo "SKIP: chromium not installed (ci/install-deps installs it)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Claims whose evidence feeds every plot. The verdicts are not this test's business, so verify's
# exit status 1 (a claim contradicted) and 3 (undecided, e.g. on a busy machine) are accepted: the
# report must be written either way. Anything else (2: usage or registry error, a crash) fails.
rc=0
"$conkit" verify --only threads-gil-cpu --only threads-overlap-io --only threads-low-overhead \
  --out "$work/report" --seed 1 >"$work/verify.log" 2>&1 || rc=$?
case $rc in 0|1|3) ;; *) cat "$work/verify.log"; echo "FAIL: conkit verify exited $rc"; exit 1 ;; esac
[ -s "$work/report/report.html" ] || { cat "$work/verify.log"; echo "no report.html written"; exit 1; }

flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$work/profile")
"$chromium" "${flags[@]}" --dump-dom "file://$work/report/report.html" >"$work/dom.html" 2>"$work/chromium.log"
"$chromium" "${flags[@]}" --window-size=1200,2600 --screenshot="$work/report.png" \
  "file://$work/report/report.html" >/dev/null 2>>"$work/chromium.log"

fail=0
need() {  # need <what> <min count> <pattern>
  local n
  n=$(grep -o "$3" "$work/dom.html" | wc -l || true)  # no match: grep fails, and pipefail must not end the script silently
  if [ "$n" -lt "$2" ]; then echo "FAIL: $1: found $n of at least $2 ('$3')"; fail=1; else echo "ok: $1 ($n)"; fi
}
need "claims table" 1 'id="claims"'
need "speedup plot" 1 'id="plot-speedup"'
# threads-gil-cpu reads two models (threads, python_threading). On a busy machine a native
# cpu_parallelism case SKIPs ("machine busy": other processes held the cores) and draws no point, so
# only one point is certain on a machine with one core busy (it was lowered from 2 to 1 for that
# reason), none with both busy: this test is labelled `timing` (rerun it serially on a quiet
# machine); quiet, the sweep draws one per W and model.
need "speedup points" 1 'class="point"'
need "spawn cost plot" 1 'id="plot-spawn-cost"'
need "spawn bars" 2 'class="bar"'
need "memory plot" 1 'id="plot-spawn-memory"'
need "timeline plot" 1 'id="plot-timeline"'
need "timeline events" 4 'class="event"'
# Per check: the interval against its bound (error bar, point, bound line) and the runs behind it.
need "interval plots" 3 'class="plot interval"'
need "error bars" 3 'class="errorbar"'
need "bound lines" 3 'class="bound"'
need "run samples" 10 'class="sample'
need "environment table" 1 'id="environment"'
need "transcript links" 3 'href="#case-'
need "transcripts" 3 'class="transcript"'
size=$(stat -c %s "$work/report.png" 2>/dev/null || echo 0)
if [ "$size" -lt 20000 ]; then echo "FAIL: screenshot is $size bytes: the page did not render"; fail=1; else echo "ok: screenshot $size bytes"; fi
[ $fail -eq 0 ] || { cat "$work/verify.log"; tail -5 "$work/chromium.log"; }
exit $fail
