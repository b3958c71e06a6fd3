# Shared by ci/test and ci/verify: repository root, dependency check, and the TSan address-space fix.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf '\n== %s ==\n' "$*"; }

# TSan maps shadow memory at fixed addresses; with more than 28 bits of mmap randomisation
# (newer kernels) the program's mappings can land there and TSan dies at start-up.
# `setarch -R` disables randomisation for the command it runs.
tsan_wrapper() {
  local bits
  bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)
  if [ "$bits" -gt 28 ]; then
    echo "setarch $(uname -m) -R"
  fi
}

# The N slowest steps of the last build in build dir $1 (ninja's own log: start and end in ms).
slowest_steps() {
  [ -f "$1/.ninja_log" ] || return 0
  awk 'NR > 1 { printf "%8.1f s  %s\n", ($2 - $1) / 1000, $4 }' "$1/.ninja_log" | sort -rn | head -n "$2"
}
