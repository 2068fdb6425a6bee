#!/usr/bin/env bash
# Builds the wasm modules + JS glue as configured in wasm-pack.toml:
#   [build]    the full module (LLM, summaries, vision), stable toolchain, one thread;
#   [threads]  the text module (no vision) with wasm threads, nightly toolchain;
#   [relaxed]  the text module with relaxed SIMD, on one thread (stable) and with threads, and
#              the full module with relaxed SIMD (the photos' kernels).
# One cargo target dir per module and flag set, so switching never rebuilds everything, and the
# text modules never rebuild tract. QINGYU_WASM_THREADS=0 skips the threaded modules,
# QINGYU_WASM_RELAXED=0 the relaxed ones.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

read_cfg() { python3 -c "import tomllib,sys; c=tomllib.load(open('wasm-pack.toml','rb')); print($1)"; }
CRATE=$(read_cfg "c['build']['crate']")
PROFILE=$(read_cfg "c['build']['profile']")
OPT_FLAGS=${QINGYU_WASM_OPT:-$(read_cfg "c['wasm-opt']['flags']")}

# bind WASM OUT_DIR OUT_NAME [EXTRA wasm-opt FLAGS]: wasm-bindgen (+ wasm-opt), then copy.
bind() {
  local wasm=$1 out_dir=$2 out_name=$3 extra=${4:-}
  local stage
  stage=$(mktemp -d)
  wasm-bindgen --target web --no-typescript --out-dir "$stage" --out-name "$out_name" "$wasm"
  if [ -n "$OPT_FLAGS" ]; then
    echo "[wasm] wasm-opt $OPT_FLAGS $out_name"
    node_modules/.bin/wasm-opt $OPT_FLAGS --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals $extra -o "$stage/${out_name}_bg.opt.wasm" "$stage/${out_name}_bg.wasm"
    mv "$stage/${out_name}_bg.opt.wasm" "$stage/${out_name}_bg.wasm"
  fi
  rm -rf "$out_dir.new"
  mkdir -p "$out_dir.new"
  cp -r "$stage"/* "$out_dir.new"/
  rm -rf "$stage"
  # Replace only this module's files: the full module's out_dir holds the threaded one's folder.
  mkdir -p "$out_dir"
  rm -rf "$out_dir/snippets" "$out_dir/${out_name}.js" "$out_dir/${out_name}_bg.wasm"
  cp -r "$out_dir.new"/* "$out_dir"/
  rm -rf "$out_dir.new"
  echo "[wasm] $out_dir/${out_name}_bg.wasm $(stat -c %s "$out_dir/${out_name}_bg.wasm") bytes"
}

# --- the full module ---------------------------------------------------------------------
FEATURES=$(read_cfg "','.join(c['build']['features'])")
TARGET_FEATURES=$(read_cfg "','.join('+'+f for f in c['build']['target_features'])")
OUT_DIR=$(read_cfg "c['build']['out_dir']")
TARGET_DIR="target/wasm-${TARGET_FEATURES//[+,]/}"
echo "[wasm] full module: cargo build --profile $PROFILE (target features $TARGET_FEATURES) → $TARGET_DIR"
# RUSTFLAGS in the environment would override .cargo/config.toml: set it explicitly instead.
RUSTFLAGS="-C target-feature=$TARGET_FEATURES" CARGO_TARGET_DIR="$TARGET_DIR" \
  cargo build --quiet --profile "$PROFILE" --target wasm32-unknown-unknown -p "$CRATE" --lib \
  ${FEATURES:+--features "$FEATURES"}
bind "$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/$CRATE.wasm" "$OUT_DIR" "$CRATE"

# --- the text modules ---------------------------------------------------------------------
TEXT_FEATURES=$(read_cfg "','.join(c['threads']['features'])")
TEXT_NAME=$(read_cfg "c['threads']['out_name']")
THREADS_TARGET_FEATURES=$(read_cfg "','.join('+'+f for f in c['threads']['target_features'])")
RELAXED=$(read_cfg "','.join('+'+f for f in c['relaxed']['extra_target_features'])")
MAX_MEMORY=$(( $(read_cfg "c['threads']['max_memory_mib']") * 1048576 ))

# text_module LABEL TARGET_FEATURES TARGET_DIR OUT_DIR: the one-thread text module (stable).
text_module() {
  local label=$1 features=$2 target_dir=$3 out_dir=$4
  echo "[wasm] $label: cargo build (target features $features) → $target_dir"
  RUSTFLAGS="-C target-feature=$features" CARGO_TARGET_DIR="$target_dir" \
    cargo build --quiet --profile "$PROFILE" --target wasm32-unknown-unknown -p "$CRATE" --lib --no-default-features
  bind "$target_dir/wasm32-unknown-unknown/$PROFILE/$CRATE.wasm" "$out_dir" "$TEXT_NAME" "--enable-relaxed-simd"
}

# threaded_module LABEL TARGET_FEATURES TARGET_DIR OUT_DIR: the text module with threads (nightly).
threaded_module() {
  local label=$1 features=$2 target_dir=$3 out_dir=$4
  # A shared, imported memory, and the thread-local-storage symbols wasm-bindgen's thread
  # start-up needs (what wasm-bindgen-rayon's README lists).
  local link_args="-C link-arg=--shared-memory -C link-arg=--max-memory=$MAX_MEMORY -C link-arg=--import-memory"
  for sym in __wasm_init_tls __tls_size __tls_align __tls_base; do link_args+=" -C link-arg=--export=$sym"; done
  echo "[wasm] $label: cargo +nightly build -Z build-std (target features $features) → $target_dir"
  local log
  log=$(mktemp)
  if ! RUSTFLAGS="-C target-feature=$features $link_args" CARGO_TARGET_DIR="$target_dir" \
    cargo +nightly build --quiet --profile "$PROFILE" --target wasm32-unknown-unknown -p "$CRATE" --lib \
    --no-default-features --features "$TEXT_FEATURES" -Z build-std=panic_abort,std >"$log" 2>&1; then
    cat "$log" >&2
    echo "[wasm] $label: build failed" >&2
    exit 1
  fi
  # Nightly warns that +atomics is unstable on every build: say the rest.
  grep -v -e 'unstable feature specified for `-Ctarget-feature`: `atomics`' -e 'this feature is not stably supported' \
    -e '^ *|$' -e '^ *= note' -e '^warning: `qingyu` (lib) generated' -e '^$' "$log" || true
  rm -f "$log"
  bind "$target_dir/wasm32-unknown-unknown/$PROFILE/$CRATE.wasm" "$out_dir" "$TEXT_NAME" "--enable-threads --enable-relaxed-simd"
}

if [ "${QINGYU_WASM_THREADS:-1}" = 0 ]; then
  echo "[wasm] threaded text modules: skipped (QINGYU_WASM_THREADS=0)"
else
  threaded_module "threaded text module" "$THREADS_TARGET_FEATURES" target/wasm-text-threads "$(read_cfg "c['threads']['out_dir']")"
fi
if [ "${QINGYU_WASM_RELAXED:-1}" = 0 ]; then
  echo "[wasm] relaxed-SIMD text modules: skipped (QINGYU_WASM_RELAXED=0)"
  exit 0
fi
text_module "relaxed-SIMD text module" "+simd128,$RELAXED" target/wasm-text-relaxed "$(read_cfg "c['relaxed']['out_dir']")"
FULL_RELAXED_DIR=target/wasm-full-relaxed
echo "[wasm] relaxed-SIMD full module: cargo build (target features $TARGET_FEATURES,$RELAXED) → $FULL_RELAXED_DIR"
RUSTFLAGS="-C target-feature=$TARGET_FEATURES,$RELAXED" CARGO_TARGET_DIR="$FULL_RELAXED_DIR" \
  cargo build --quiet --profile "$PROFILE" --target wasm32-unknown-unknown -p "$CRATE" --lib \
  ${FEATURES:+--features "$FEATURES"}
bind "$FULL_RELAXED_DIR/wasm32-unknown-unknown/$PROFILE/$CRATE.wasm" "$(read_cfg "c['relaxed']['full_out_dir']")" "$CRATE" "--enable-relaxed-simd"
if [ "${QINGYU_WASM_THREADS:-1}" != 0 ]; then
  threaded_module "threaded relaxed-SIMD text module" "$THREADS_TARGET_FEATURES,$RELAXED" target/wasm-text-threads-relaxed \
    "$(read_cfg "c['relaxed']['threads_out_dir']")"
fi
