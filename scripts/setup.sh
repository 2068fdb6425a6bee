#!/usr/bin/env bash
# Installs the toolchain Qingyu needs, from the four registries only (crates.io, PyPI, npm,
# Debian apt). Idempotent: each step checks first and says what it does or skips.
set -euo pipefail
cd "$(dirname "$0")/.."

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pin in crate/Cargo.toml
step() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. Rust target for the browser build.
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "rust target wasm32-unknown-unknown: present"
else
  step "rust target wasm32-unknown-unknown: adding"
  rustup target add wasm32-unknown-unknown
fi

# 1b. Nightly toolchain with rust-src: the threaded text module rebuilds std with atomics.
if ! rustup toolchain list | grep -q '^nightly'; then
  step "rust nightly: installing (minimal profile)"
  rustup toolchain install nightly --profile minimal
fi
if rustup component list --toolchain nightly --installed | grep -q '^rust-src'; then
  step "rust nightly + rust-src: present"
else
  step "rust nightly: adding rust-src (for -Z build-std)"
  rustup component add rust-src --toolchain nightly
fi

# 2. wasm-bindgen CLI, same version as the crate (a mismatch fails at bind time).
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "wasm-bindgen-cli $WASM_BINDGEN_VERSION: present"
else
  step "wasm-bindgen-cli $WASM_BINDGEN_VERSION: installing from crates.io (~2 min)"
  cargo install --quiet wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# 3. Debian Chromium (+ driver) for headless tests, a CJK font so Chinese renders, and clang:
#    jieba-rs embeds its dictionary zstd-compressed, and zstd's C code must be compiled for wasm32.
apt_missing=()
[ -x /usr/bin/clang ] || apt_missing+=(clang)
[ -x /usr/bin/chromium ] || apt_missing+=(chromium)
[ -x /usr/bin/chromedriver ] || apt_missing+=(chromium-driver)
[ -d /usr/share/fonts/opentype/noto ] && ls /usr/share/fonts/opentype/noto | grep -q CJK || apt_missing+=(fonts-noto-cjk)
if [ ${#apt_missing[@]} -eq 0 ]; then
  step "debian packages chromium, chromium-driver, fonts-noto-cjk, clang: present"
else
  step "debian packages: installing ${apt_missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}" >/dev/null
fi

# 4. Node packages (Playwright runner, binaryen's wasm-opt, TF.js for the detector reference).
#    Never lets Playwright download a browser: we use Debian's.
if [ -f node_modules/.package-lock.json ] && cmp -s package-lock.json node_modules/.qingyu-lock; then
  step "node packages: present"
else
  step "node packages: npm ci"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json node_modules/.qingyu-lock
fi

# 5. Python virtualenv for the model pipeline (numpy, onnx, onnxruntime, gguf, pillow).
if [ -x .venv/bin/python ] && cmp -s models/requirements.txt .venv/.qingyu-requirements; then
  step "python venv .venv: present"
else
  step "python venv .venv: installing models/requirements.txt"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r models/requirements.txt
  cp models/requirements.txt .venv/.qingyu-requirements
fi
step "toolchain ready"
