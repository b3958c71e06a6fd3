#!/usr/bin/env bash
# Runs the README's "Check your own program" example exactly as written there, with the conkit
# under test: the expected file from the heredoc and the `conkit check` command after it.
set -euo pipefail
readme=$1 conkit=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
# The heredoc body between `cat > two_waits.expect <<'EOF'` and its closing `EOF`.
awk '/^cat > two_waits.expect <</{on=1; next} on && /^EOF$/{exit} on' "$readme" > two_waits.expect
# The command: from `build/default/bin/conkit check` to the end of its continued lines.
cmd=$(awk '/^build\/default\/bin\/conkit check/{on=1} on{print; if ($0 !~ /\\$/) exit}' "$readme")
[ -s two_waits.expect ] && [ -n "$cmd" ] || { echo "README example not found" >&2; exit 1; }
cmd=${cmd/build\/default\/bin\/conkit/$conkit}
echo "+ $cmd"
eval "$cmd"
