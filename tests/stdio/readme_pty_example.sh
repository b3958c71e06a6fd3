#!/usr/bin/env bash
# Runs the README's "Bring your own program" example as written there (the program, the expected
# file and the `conkit check ... --stdio pty` command) with the conkit and the Python under test;
# then the same check over a pipe, which must fail with the burst note.
set -euo pipefail
readme=$1 conkit=$2 python=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# The heredoc body between `cat > FILE <<'EOF'` and its closing `EOF`.
heredoc() { awk -v first="cat > $1 <<'EOF'" '$0 == first {on=1; next} on && /^EOF$/ {exit} on' "$readme"; }
heredoc tasks.py > tasks.py
heredoc tasks.expect > tasks.expect
cmd=$(awk '/^build\/default\/bin\/conkit check --expect tasks.expect/{on=1} on{print; if ($0 !~ /\\$/) exit}' "$readme")
if [ ! -s tasks.py ] || [ ! -s tasks.expect ] || [[ $cmd != *"--stdio pty"* ]]; then
  echo "README example not found" >&2
  exit 1
fi
cmd=${cmd/build\/default\/bin\/conkit/$conkit}
cmd=${cmd/ python3 / $python }
echo "+ $cmd"
eval "$cmd"
pipe_cmd=${cmd/--stdio pty/--stdio pipe --expect-status FAIL}
echo "+ $pipe_cmd"
out=$(eval "$pipe_cmd")
printf '%s\n' "$out"
if ! grep -qF "stdout arrived in one burst at exit" <<<"$out"; then
  echo "FAILED: no burst note over a pipe"
  exit 1
fi
