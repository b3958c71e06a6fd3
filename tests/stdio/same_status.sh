#!/usr/bin/env bash
# same_status.sh CONKIT EXPECT -- COMMAND...
# Checks COMMAND against EXPECT with --stdio pipe, pty and merged and passes iff all three end
# with the same status (a flood, a timeout or a stray must not depend on what stdout is).
set -u
conkit=$1 expect=$2
shift 3
pipe_status=""
for mode in pipe pty merged; do
  out=$("$conkit" check --expect "$expect" --stdio "$mode" -- "$@" 2>&1)
  printf -- '--- --stdio %s\n%s\n' "$mode" "$out"
  status=${out%% *}
  [ -z "$pipe_status" ] && pipe_status=$status
  if [ "$status" != "$pipe_status" ]; then
    echo "FAILED: --stdio $mode ended $status, --stdio pipe ended $pipe_status"
    exit 1
  fi
done
echo "all three modes ended $pipe_status"
