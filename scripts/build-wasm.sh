#!/usr/bin/env bash
# Builds the wasm module + JS glue as configured in wasm-pack.toml.
# One cargo target dir per target-feature set, so switching flags never rebuilds everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

read_cfg() { python3 -c "import tomllib,sys; c=tomllib.load(open('wasm-pack.toml','rb')); print($1)"; }
CRATE=$(read_cfg "c['build']['crate']")
PROFILE=$(read_cfg "c['build']['profile']")
FEATURES=$(read_cfg "','.join(c['build']['features'])")
TARGET_FEATURES=$(read_cfg "','.join('+'+f for f in c['build']['target_features'])")
OUT_DIR=$(read_cfg "c['build']['out_dir']")
OPT_FLAGS=${QINGYU_WASM_OPT:-$(read_cfg "c['wasm-opt']['flags']")}

TARGET_DIR="target/wasm-${TARGET_FEATURES//[+,]/}"
echo "[wasm] cargo build --profile $PROFILE (target features $TARGET_FEATURES) → $TARGET_DIR"
# RUSTFLAGS in the environment would override .cargo/config.toml: set it explicitly instead.
RUSTFLAGS="-C target-feature=$TARGET_FEATURES" CARGO_TARGET_DIR="$TARGET_DIR" \
  cargo build --quiet --profile "$PROFILE" --target wasm32-unknown-unknown -p "$CRATE" --lib \
  ${FEATURES:+--features "$FEATURES"}

WASM="$TARGET_DIR/wasm32-unknown-unknown/$PROFILE/$CRATE.wasm"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$STAGE" "$WASM"
if [ -n "$OPT_FLAGS" ]; then
  echo "[wasm] wasm-opt $OPT_FLAGS"
  node_modules/.bin/wasm-opt $OPT_FLAGS --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals -o "$STAGE/${CRATE}_bg.opt.wasm" "$STAGE/${CRATE}_bg.wasm"
  mv "$STAGE/${CRATE}_bg.opt.wasm" "$STAGE/${CRATE}_bg.wasm"
fi
mkdir -p "$OUT_DIR"
cp "$STAGE"/* "$OUT_DIR"/
echo "[wasm] $OUT_DIR/${CRATE}_bg.wasm $(stat -c %s "$OUT_DIR/${CRATE}_bg.wasm") bytes"
