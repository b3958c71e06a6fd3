#!/usr/bin/env bash
# expect_check.sh STATUS NOTE CONKIT CHECK-ARGS...
# Runs `CONKIT check CHECK-ARGS...`, shows its report, and passes iff the case ended with STATUS
# and, unless NOTE is empty, the report contains the text NOTE.
set -u
want=$1 note=$2 conkit=$3
shift 3
out=$("$conkit" check --expect-status "$want" "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -ne 0 ]; then
  echo "FAILED: the case did not end $want"
  exit 1
fi
if [ -n "$note" ] && ! grep -qF -- "$note" <<<"$out"; then
  echo "FAILED: the report does not say: $note"
  exit 1
fi
