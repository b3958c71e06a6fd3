#!/usr/bin/env bash
# grade_articles.sh ARTICLE CONKIT PYTHON [RUNS]
# The three programs of the article "Difference between Asynchronous Programming vs
# Multithreading vs Multiprocessing in Python", as printed there (plain print(), never flushed),
# graded against the expected files beside this script (written from the article's printed
# output) at the article's own timing, --unit 2s: first over a pipe, which must FAIL with the
# burst note, then under --stdio pty, which must PASS, RUNS times (default 3), printing each run's
# span between the first "started" line and the last "completed" line.
# The article is not part of conkit: give its text file. Its code blocks are the lines between a
# "Code Example" line and the next "Output:" line, in the order asyncio, threading,
# multiprocessing. Not a ctest test: it needs the article, and takes about RUNS x 3 x 2.3 s.
set -euo pipefail
article=$1 conkit=$2 python=$3 runs=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -v dir="$work" '
  /^Code Example[[:space:]]*$/ { n++; on = 1; next }
  /^Output:[[:space:]]*$/ { on = 0 }
  on { print > (dir "/program" n ".py") }' "$article"
models=(python_asyncio python_threading python_multiprocessing)
status=0
for i in 0 1 2; do
  program="$work/program$((i + 1)).py" expect="$here/${models[i]}.expect"
  if [ ! -s "$program" ]; then
    echo "FAILED: code block $((i + 1)) not found in $article"
    exit 1
  fi
  echo "=== ${models[i]}: over a pipe (must FAIL with the burst note)"
  out=$("$conkit" check --expect "$expect" --unit 2s --stdio pipe --expect-status FAIL -- "$python" "$program" 2>&1) || status=1
  printf '%s\n' "$out"
  grep -qF "stdout arrived in one burst at exit" <<<"$out" || { echo "FAILED: no burst note"; status=1; }
  echo "=== ${models[i]}: --stdio pty --unit 2s (must PASS), $runs runs"
  "$conkit" check --expect "$expect" --unit 2s --stdio pty --repeat "$runs" --json "$work/${models[i]}.json" \
      -- "$python" "$program" || status=1
  "$python" - "$work/${models[i]}.json" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))["cases"][0]
spans = [t["ms"] for r in case["runs"] for t in r["grade"]["times"] if t.get("ms") is not None]
print(f"{case['name']}: {case['status']}, span per run (ms): " + ", ".join(f"{s:.1f}" for s in spans))
PY
done
exit $status
