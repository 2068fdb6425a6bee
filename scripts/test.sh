#!/usr/bin/env bash
# Every test, after ./qy build: native Rust tests, then the headless-Chromium suite.
# Ends with a plain "N passed, N failed" line summing both.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
LOG=$(mktemp -d)

echo "[test] cargo test (native)"
cargo test --workspace 2>&1 | tee "$LOG/cargo.txt"
cargo_rc=${PIPESTATUS[0]}

echo "[test] playwright (Debian Chromium, headless)"
npx --no-install playwright test --config playwright/playwright.config.js 2>&1 | tee "$LOG/pw.txt"
pw_rc=${PIPESTATUS[0]}

# Sum the counts both runners printed.
sum() { grep -hoE "$1" "$2" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}'; }
passed=$(( $(sum 'test result: [a-zA-Z]+\. [0-9]+ passed' "$LOG/cargo.txt") + $(sum '^ *[0-9]+ passed' "$LOG/pw.txt") ))
failed=$(( $(sum '[0-9]+ failed;' "$LOG/cargo.txt") + $(sum '^ *[0-9]+ failed' "$LOG/pw.txt") ))
if [ "$cargo_rc" -ne 0 ] || [ "$pw_rc" -ne 0 ]; then
  [ "$failed" -gt 0 ] || failed=1
fi
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
