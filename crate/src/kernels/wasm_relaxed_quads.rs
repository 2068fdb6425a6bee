//! The relaxed-SIMD product over row-quad Q5_0 (`Q5Quads`, the layout's comment has the lanes).
//! Per quad block: eight relaxed dots, each of one weight vector (four values of each of four
//! rows, unsigned 0..=31) with one 32-bit word of the activations splatted (the signed operand),
//! starting from the block's `−16·Σx` in every lane; the four i32 lanes are the four rows' exact
//! integer sums, and `acc += (d · x.scale) · sum` per lane is the scalar reference's float
//! arithmetic in its order, so the result is bit-identical to `scalar::matvec_q5_quads` (and to
//! the one-row layout's scalar product), for one token or many.

use super::q5_0_quads::{Q5Quads, QUAD};
use super::quant::{Q8Vector, BLOCK};
use super::wasm_simd::load;
use core::arch::wasm32::*;
use std::ops::Range;

/// Weight vectors per quad block.
const VECTORS: usize = 8;

/// Quad block `qb`'s eight weight vectors: nibble | fifth bit << 4, in 0..=31.
/// SAFETY: `qb` < quads × blocks_per_row.
#[inline(always)]
unsafe fn weight_vectors(w: &Q5Quads, qb: usize) -> [v128; VECTORS] {
    let n = w.nibbles.as_ptr().add(qb * 64);
    let f = load(w.fifths.as_ptr().add(qb * 16));
    let (low, bit) = (u8x16_splat(0x0f), u8x16_splat(0x10));
    let nib = [load(n), load(n.add(16)), load(n.add(32)), load(n.add(48))];
    // 16-bit shifts (wasm has no 8-bit one in hardware; V8 emulates it with extra masks): the
    // bits that cross into the neighbouring byte land outside the masks (shifts by ≤ 4).
    // Vector v's fifth bits are bit v of each byte, moved to bit 4.
    [
        v128_or(v128_and(nib[0], low), v128_and(i16x8_shl(f, 4), bit)),
        v128_or(v128_and(nib[1], low), v128_and(i16x8_shl(f, 3), bit)),
        v128_or(v128_and(nib[2], low), v128_and(i16x8_shl(f, 2), bit)),
        v128_or(v128_and(nib[3], low), v128_and(i16x8_shl(f, 1), bit)),
        v128_or(v128_and(u16x8_shr(nib[0], 4), low), v128_and(f, bit)),
        v128_or(v128_and(u16x8_shr(nib[1], 4), low), v128_and(u16x8_shr(f, 1), bit)),
        v128_or(v128_and(u16x8_shr(nib[2], 4), low), v128_and(u16x8_shr(f, 2), bit)),
        v128_or(v128_and(u16x8_shr(nib[3], 4), low), v128_and(u16x8_shr(f, 3), bit)),
    ]
}

/// `acc` plus one quad block's contribution for activation `x`, block `b`.
/// SAFETY: `qb` and `b` exist; `x` is a relaxed build's vector (`bytes`, `unshift16`).
#[inline(always)]
unsafe fn accumulate(acc: v128, w: &Q5Quads, qb: usize, wv: &[v128; VECTORS], x: &Q8Vector, b: usize) -> v128 {
    let p = x.bytes.as_ptr().add(b * BLOCK) as *const u32;
    let unshift = x.unshift16.get_unchecked(b);
    let mut sum = i32x4_splat(unshift[0] + unshift[1]);
    for (v, wv) in wv.iter().enumerate() {
        sum = i32x4_relaxed_dot_i8x16_i7x16_add(v128_load32_splat(p.add(v)), *wv, sum);
    }
    let scales = f32x4_mul(load(w.scales.as_ptr().add(qb * QUAD) as *const u8), f32x4_splat(*x.scales.get_unchecked(b)));
    f32x4_add(acc, f32x4_mul(scales, f32x4_convert_i32x4(sum)))
}

/// Writes quad `q`'s four lanes into `out` where their rows fall in `rows`.
#[inline(always)]
fn store(acc: v128, q: usize, rows: &Range<usize>, out: &mut [f32]) {
    let lanes = [f32x4_extract_lane::<0>(acc), f32x4_extract_lane::<1>(acc), f32x4_extract_lane::<2>(acc), f32x4_extract_lane::<3>(acc)];
    for (k, lane) in lanes.into_iter().enumerate() {
        let r = q * QUAD + k;
        if rows.contains(&r) {
            out[r - rows.start] = lane;
        }
    }
}

/// The quads covering `rows`.
fn quads(w: &Q5Quads, rows: &Range<usize>) -> Range<usize> {
    assert!(rows.end <= w.rows, "rows {rows:?} out of {}", w.rows);
    rows.start / QUAD..rows.end.div_ceil(QUAD)
}

pub fn matvec_q5_quads(w: &Q5Quads, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    for q in quads(w, &rows) {
        let mut acc = f32x4_splat(0.0);
        for b in 0..bpr {
            let qb = q * bpr + b;
            // SAFETY: quad q exists (checked above), b < blocks_per_row = x's blocks (checked at dispatch).
            unsafe { acc = accumulate(acc, w, qb, &weight_vectors(w, qb), x, b) };
        }
        store(acc, q, &rows, out);
    }
}

/// Tokens per tile of the batched product.
const TILE_TOKENS: usize = 4;

/// Quad `q` × tokens `xs[..T]`, from its weight vectors `vectors` (one set per block): each
/// vector set is read once for the tile's tokens. Every accumulator sees the same operations in
/// the same order whatever `T`, so a tile gives `matvec_q5_quads`'s bits.
/// SAFETY: quad q exists; `xs` has at least T vectors of w.cols.
#[inline(always)]
unsafe fn tile<const T: usize>(w: &Q5Quads, vectors: &[[v128; VECTORS]], xs: &[Q8Vector], q: usize) -> [v128; T] {
    let bpr = w.blocks_per_row();
    let mut acc = [f32x4_splat(0.0); T];
    for (b, wv) in vectors.iter().enumerate() {
        for (k, acc) in acc.iter_mut().enumerate() {
            *acc = accumulate(*acc, w, q * bpr + b, wv, xs.get_unchecked(k), b);
        }
    }
    acc
}

/// Rows `rows` of the batched product, `out[t * rows.len() + i] = row (rows.start + i) · xs[t]`:
/// each quad's weight vectors are built once into a buffer, then read by every tile of tokens.
pub fn matmul_q5_quads(w: &Q5Quads, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    let n = rows.len();
    if xs.len() == 1 {
        return matvec_q5_quads(w, &xs[0], rows, out);
    }
    let bpr = w.blocks_per_row();
    let mut vectors = vec![[i32x4_splat(0); VECTORS]; bpr];
    for q in quads(w, &rows) {
        for (b, wv) in vectors.iter_mut().enumerate() {
            // SAFETY: quad q exists.
            *wv = unsafe { weight_vectors(w, q * bpr + b) };
        }
        let mut t = 0;
        while t < xs.len() {
            // SAFETY: quad q exists; tokens t.. hold at least the tile's count (cols checked at dispatch).
            if t + TILE_TOKENS <= xs.len() {
                let acc = unsafe { tile::<TILE_TOKENS>(w, &vectors, &xs[t..], q) };
                for (k, acc) in acc.into_iter().enumerate() {
                    store(acc, q, &rows, &mut out[(t + k) * n..(t + k + 1) * n]);
                }
                t += TILE_TOKENS;
            } else {
                let [acc] = unsafe { tile::<1>(w, &vectors, &xs[t..], q) };
                store(acc, q, &rows, &mut out[t * n..(t + 1) * n]);
                t += 1;
            }
        }
    }
}
