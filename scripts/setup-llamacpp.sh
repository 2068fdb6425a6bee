#!/usr/bin/env bash
# Installs llama.cpp's native engine for row (d) of `./qy bench llm`: llama-cpp-python, pinned,
# in its own virtualenv .tools/llama-cpp (git-ignored). PyPI has no Linux wheel for it, so pip
# compiles llama.cpp from the sdist (cmake + ninja come from PyPI as build dependencies; a C/C++
# compiler must be installed): 10-15 minutes on 2 cores, once.
#
# Idempotent: when the venv already imports the pinned version it says so and exits at once.
# scripts/bench-llm.mjs runs it before row (d); exit status non-zero = not installed (the row
# then says n/a with the reason, the rest of the bench still runs).
#
# Environment: CMAKE_BUILD_PARALLEL_LEVEL (compile jobs, default 2),
#              QINGYU_LLAMACPP_CMAKE_ARGS (replaces the CPU flags below).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=0.3.36
VENV=.tools/llama-cpp
LOG=.tools/llama-cpp-install.log
step() { printf '[setup-llamacpp] %s\n' "$*"; }
fail() {
  step "FAILED: $*"
  step "llama.cpp's row (d) of ./qy bench llm will say n/a; fix the cause and run scripts/setup-llamacpp.sh again."
  exit 1
}

installed() {
  [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$VERSION" <<'EOF' >/dev/null 2>&1
import sys
import numpy  # noqa: F401  (models/reference/llamacpp_bench.py needs it)
import llama_cpp
sys.exit(0 if llama_cpp.__version__ == sys.argv[1] else 1)
EOF
}

if installed; then
  step "llama-cpp-python $VERSION in $VENV: present"
  exit 0
fi

# Same CPU features as the published numbers, but no -march=native: the library runs on any
# x86-64 with AVX2/FMA/F16C; on other CPUs, ggml's defaults.
if [ -n "${QINGYU_LLAMACPP_CMAKE_ARGS:-}" ]; then
  CPU_ARGS=$QINGYU_LLAMACPP_CMAKE_ARGS
elif [ "$(uname -m)" = x86_64 ]; then
  CPU_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"
else
  CPU_ARGS="-DGGML_NATIVE=OFF"
fi
# LLAVA_BUILD=OFF: the multimodal library (mtmd) is not needed to run a text model, so it is
# not compiled.
export CMAKE_ARGS="$CPU_ARGS -DLLAVA_BUILD=OFF"
export CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2}

command -v python3 >/dev/null || fail "python3 not found (install Python 3.9 or newer)"
command -v c++ >/dev/null || command -v g++ >/dev/null || command -v clang++ >/dev/null \
  || fail "no C++ compiler found (Debian/Ubuntu: apt-get install g++)"

mkdir -p .tools
# One install at a time (two benches started together would share the venv).
if command -v flock >/dev/null; then
  exec 9>.tools/llama-cpp.lock
  flock -n 9 || { step "another scripts/setup-llamacpp.sh is installing; waiting for it"; flock 9; }
  if installed; then step "llama-cpp-python $VERSION in $VENV: present"; exit 0; fi
fi
: >"$LOG"
if [ ! -x "$VENV/bin/pip" ]; then
  step "python venv $VENV: creating"
  rm -rf "$VENV"
  python3 -m venv "$VENV" >>"$LOG" 2>&1 || fail "python3 -m venv $VENV: $(tail -n 3 "$LOG" | tr '\n' ' ') (Debian/Ubuntu: apt-get install python3-venv)"
fi

step "llama-cpp-python $VERSION: downloading from PyPI and compiling llama.cpp"
step "  this takes 10-15 minutes on 2 cores (more on a busy machine), only once;"
step "  CMAKE_ARGS=\"$CMAKE_ARGS\", $CMAKE_BUILD_PARALLEL_LEVEL jobs; full log: $LOG"
t0=$(date +%s)
# ninja's "[n/m] ..." lines become a short progress line every 10 steps; pip's milestones pass.
progress_filter() {
  local line n m src
  while IFS= read -r line; do
    if [[ $line =~ ^[[:space:]]*\[([0-9]+)/([0-9]+)\]\  ]]; then
      n=${BASH_REMATCH[1]} m=${BASH_REMATCH[2]}
      if (( n % 10 == 0 || n == m )); then
        src=""
        [[ $line =~ \ -c\ ([^ ]+) ]] && src=${BASH_REMATCH[1]##*/}
        step "  compiling: step $n of $m ($(( $(date +%s) - t0 )) s) $src"
      fi
    elif [[ $line =~ (Collecting\ |Installing\ build\ dependencies|Building\ wheel\ for|Successfully\ installed|^ERROR) ]]; then
      line=${line#"${line%%[![:space:]]*}"}
      step "  ${line:0:160}"
    fi
  done
}
set +e
# -v makes pip relay the build's output (all of it goes to the log).
"$VENV/bin/pip" install -v --disable-pip-version-check --no-cache-dir \
    "llama-cpp-python==$VERSION" 2>&1 \
  | tee -a "$LOG" \
  | progress_filter
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  last=$(grep -E 'error|Error|ERROR' "$LOG" | grep -v -E '^\s*(-- |#)' | tail -n 3 | cut -c1-200 | tr '\n' ' ' || true)
  fail "pip install llama-cpp-python==$VERSION exited $status after $(( $(date +%s) - t0 )) s: ${last:-see $LOG} (full log: $LOG)"
fi
installed || fail "llama-cpp-python installed but '$VENV/bin/python -c \"import llama_cpp\"' fails (see $LOG)"
step "llama-cpp-python $VERSION in $VENV: installed in $(( $(date +%s) - t0 )) s"
