//! Relaxed-SIMD weight products (`i32x4.relaxed_dot_i8x16_i7x16_add`), for builds with
//! `+relaxed-simd`; everything else comes from `wasm_simd`.
//!
//! The instruction multiplies i8 by i7 lanes and sums each four products into an i32 lane. Its
//! result is implementation-defined only when the second operand has its top bit set, so the
//! weights go in as that operand, shifted into 0..=127 (`Q8Matrix::unsigned_shift`: Q5_0 + 16,
//! Q4_K as stored), and the activations (|q| ≤ 127) as the signed one. The shift comes back out
//! in integers: the dot starts from `−16·Σx` of each half block (`Q8Vector::unshift16`), so
//! every block's integer sum is exact on every engine, as in the SIMD128 path; only the float
//! accumulation over lanes is ordered differently (four consecutive values per lane).
//! Per 32 weights: two dot instructions instead of four widenings and four i16 dots.
//! Tried: summing each block's lanes first and adding blocks in the scalar reference's order
//! gives its very bits, but the transposes and strided scale loads cost all the gain (whole
//! model in Chromium: 0.97× prefill, 0.94× decode vs SIMD128; this layout: 1.17×, 1.11×).
//! Q8_0 (all of i8) and expanded Q6_K (see `relaxed_shift`) stay on the SIMD128 kernel; packed
//! Q6_K, which the relaxed dot spares its −32 and its widening, takes two dots per block.
//! The loader holds packed Q5_0 four rows per block in these builds (`wasm_relaxed_quads.rs`,
//! ~2× this file's one-row Q5_0 kernel for one token); that kernel stays for the one-row layout's
//! checks and the kernel bench's comparison row.

use super::q4_k::Q4Matrix;
use super::q5_0::Q5Matrix;
use super::q6_k::Q6Matrix;
use super::quant::{Q8Matrix, Q8Vector, BLOCK};
use super::scalar::{subtract_block_mins, subtract_mins};
use super::wasm_simd::{self, hsum, load, q5_0_unsigned_halves, q6_k_unsigned_halves};
use core::arch::wasm32::*;
use std::ops::Range;

/// One activation block: its 32 quants as two i8x16, and `−16·Σx` of each half (lanes 0, 1).
struct ActBlock {
    q: [v128; 2],
    unshift16: v128,
}

#[inline(always)]
unsafe fn act_block(x: &Q8Vector, b: usize) -> ActBlock {
    let p = x.bytes.as_ptr().add(b * BLOCK) as *const u8;
    ActBlock { q: [load(p), load(p.add(16))], unshift16: load(x.unshift16.as_ptr().add(b) as *const u8) }
}

/// Adds one block's contribution to `acc`, its weights shifted by `shift` (0 or 16): the dot
/// starts from `−16·Σx` of each half (lanes 0 and 1). With `g16` (packed Q6_K, a constant in
/// every caller) each half has its own scale and a shift of 32: two dots, each starting from
/// `−32·Σx` of its half.
#[inline(always)]
unsafe fn accumulate(g16: bool, shift: i8, acc: v128, w: &[v128; 2], x: &ActBlock, s: [f32; 2], xs: f32) -> v128 {
    if g16 {
        let (twice, zero) = (i32x4_shl(x.unshift16, 1), i32x4_splat(0));
        let lo = i32x4_relaxed_dot_i8x16_i7x16_add(x.q[0], w[0], i32x4_shuffle::<0, 4, 4, 4>(twice, zero));
        let hi = i32x4_relaxed_dot_i8x16_i7x16_add(x.q[1], w[1], i32x4_shuffle::<1, 4, 4, 4>(twice, zero));
        let acc = f32x4_add(acc, f32x4_mul(f32x4_splat(s[0] * xs), f32x4_convert_i32x4(lo)));
        return f32x4_add(acc, f32x4_mul(f32x4_splat(s[1] * xs), f32x4_convert_i32x4(hi)));
    }
    let start = if shift == 0 { i32x4_splat(0) } else { x.unshift16 };
    let d = i32x4_relaxed_dot_i8x16_i7x16_add(x.q[1], w[1], i32x4_relaxed_dot_i8x16_i7x16_add(x.q[0], w[0], start));
    f32x4_add(acc, f32x4_mul(f32x4_splat(s[0] * xs), f32x4_convert_i32x4(d)))
}

/// A weight layout as these kernels see it: block `idx` as two u7x16 halves (already shifted)
/// and its scale (with `G16`, its two halves').
trait Blocks {
    /// Two scales per block and a shift of 32 (packed Q6_K).
    const G16: bool = false;
    /// `block` does work (packed layouts): a pass over many tokens unpacks its rows once
    /// (`Unpacked`) instead of once per tile.
    const PACKED: bool = true;
    /// The weights' shift into 0..=127: 0 or 16 (32 with `G16`).
    fn shift(&self) -> i8;
    fn blocks_per_row(&self) -> usize;
    /// SAFETY: `idx` < rows × blocks_per_row.
    unsafe fn block(&self, idx: usize) -> [v128; 2];
    unsafe fn scales(&self, idx: usize) -> [f32; 2];
}

/// The expanded layout with one scale per block, for matrices shifted by 0 or 16.
struct Expanded<'a>(&'a Q8Matrix, i8);

impl Blocks for Expanded<'_> {
    const PACKED: bool = false;
    fn shift(&self) -> i8 {
        self.1
    }
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 2] {
        let p = self.0.quants.as_ptr().add(idx * BLOCK) as *const u8;
        let k = i8x16_splat(self.1);
        [i8x16_add(load(p), k), i8x16_add(load(p.add(16)), k)]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        [*self.0.scales.get_unchecked(idx), 0.0]
    }
}

/// Packed Q5_0 as 0..=31 (`wasm_simd::q5_0_unsigned_halves`); the −16 is the shift.
struct PackedQ5<'a>(&'a Q5Matrix);

impl Blocks for PackedQ5<'_> {
    fn shift(&self) -> i8 {
        16
    }
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 2] {
        q5_0_unsigned_halves(self.0, idx)
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        [*self.0.scales.get_unchecked(idx), 0.0]
    }
}

/// Packed Q4_K: 0..=15 straight from the nibbles (the mins are a separate pass).
struct PackedQ4<'a>(&'a Q4Matrix);

impl Blocks for PackedQ4<'_> {
    fn shift(&self) -> i8 {
        0
    }
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 2] {
        let n = load(self.0.nibbles.as_ptr().add(idx * 16));
        [v128_and(n, u8x16_splat(0x0F)), u8x16_shr(n, 4)]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        [*self.0.scales.get_unchecked(idx), 0.0]
    }
}

/// Packed Q6_K as q in 0..=63 (`wasm_simd::q6_k_unsigned_halves`); the −32 is the shift.
struct PackedQ6<'a>(&'a Q6Matrix);

impl Blocks for PackedQ6<'_> {
    const G16: bool = true;
    fn shift(&self) -> i8 {
        32
    }
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 2] {
        q6_k_unsigned_halves(self.0, idx)
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        self.0.scales(idx)
    }
}

/// One or two rows of a packed layout (block `base` onwards), unpacked once into `halves` (two
/// per block) for a pass over many tokens: the tiles then read them as they read the expanded
/// layout (unpacking per tile of four tokens cost packed prefill ~17 %). The same values and
/// the same arithmetic, so the same bits.
struct Unpacked<'a, B> {
    w: &'a B,
    base: usize,
    halves: &'a [v128],
}

impl<B: Blocks> Blocks for Unpacked<'_, B> {
    const G16: bool = B::G16;
    const PACKED: bool = false;
    fn shift(&self) -> i8 {
        self.w.shift()
    }
    fn blocks_per_row(&self) -> usize {
        self.w.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 2] {
        let at = 2 * (idx - self.base);
        [*self.halves.get_unchecked(at), *self.halves.get_unchecked(at + 1)]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        self.w.scales(idx)
    }
}

/// Unpacks rows `r..r + rows` of `w` into `halves`, laid out as `Unpacked` reads them.
fn unpack_rows<B: Blocks>(w: &B, r: usize, rows: usize, halves: &mut [v128]) {
    let bpr = w.blocks_per_row();
    for (i, pair) in halves[..2 * rows * bpr].chunks_exact_mut(2).enumerate() {
        // SAFETY: block r·bpr + i lies in rows r..r + rows, which exist.
        let [lo, hi] = unsafe { w.block(r * bpr + i) };
        pair[0] = lo;
        pair[1] = hi;
    }
}

/// The shift an expanded matrix goes into the relaxed dot with, or `None` for the SIMD128
/// kernel: values over all of i8 (Q8_0), and Q6_K (a scale per 16 values and a shift of 32: taking
/// that back out per half costs more than the relaxed dot saves, measured by `./qy bench kernels`).
fn relaxed_shift(w: &Q8Matrix) -> Option<i8> {
    w.unsigned_shift.filter(|&k| w.group == BLOCK && (k == 0 || k == 16))
}

pub fn matvec_q8(w: &Q8Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    let Some(shift) = relaxed_shift(w) else { return wasm_simd::matvec_q8(w, x, rows, out) };
    matvec(&Expanded(w, shift), x, rows.clone(), out);
    subtract_mins(w, x, rows, out);
}

pub fn matvec_q5(w: &Q5Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ5(w), x, rows, out)
}

pub fn matvec_q6(w: &Q6Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ6(w), x, rows, out)
}

pub fn matvec_q4(w: &Q4Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ4(w), x, rows.clone(), out);
    subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows, out);
}

fn matvec<B: Blocks>(w: &B, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    let (bpr, shift) = (w.blocks_per_row(), w.shift());
    let start = rows.start;
    let n = rows.len();
    let mut i = 0;
    // Four rows at a time share each activation block's loads.
    while i + 4 <= n {
        let r = start + i;
        let mut acc = [f32x4_splat(0.0); 4];
        for b in 0..bpr {
            // SAFETY: block b of rows r..r+4 and of x lie inside their vectors (sizes checked at load).
            unsafe {
                let xb = act_block(x, b);
                for k in 0..4 {
                    let idx = (r + k) * bpr + b;
                    acc[k] = accumulate(B::G16, shift, acc[k], &w.block(idx), &xb, w.scales(idx), x.scales[b]);
                }
            }
        }
        for k in 0..4 {
            out[i + k] = hsum(acc[k]);
        }
        i += 4;
    }
    while i < n {
        let r = start + i;
        let mut acc = f32x4_splat(0.0);
        for b in 0..bpr {
            // SAFETY: as above.
            unsafe {
                let idx = r * bpr + b;
                acc = accumulate(B::G16, shift, acc, &w.block(idx), &act_block(x, b), w.scales(idx), x.scales[b]);
            }
        }
        out[i] = hsum(acc);
        i += 1;
    }
}

pub fn matmul_q8(w: &Q8Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    let Some(shift) = relaxed_shift(w) else { return wasm_simd::matmul_q8(w, xs, rows, out) };
    matmul(&Expanded(w, shift), xs, rows.clone(), out);
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        subtract_mins(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

pub fn matmul_q5(w: &Q5Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ5(w), xs, rows, out)
}

pub fn matmul_q6(w: &Q6Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ6(w), xs, rows, out)
}

pub fn matmul_q4(w: &Q4Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ4(w), xs, rows.clone(), out);
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

/// Tokens per tile of the batched product.
const TILE_TOKENS: usize = 4;

/// Rows `r..r + R` × tokens `t..t + TILE_TOKENS` of the product, summed over all blocks: each
/// weight block is unpacked once for the tile's tokens and each activation block loaded once
/// for its rows. Every accumulator sees the same operations in the same order whatever `R`.
/// SAFETY: the rows and tokens exist.
#[inline(always)]
unsafe fn tile<B: Blocks, const R: usize>(w: &B, xs: &[Q8Vector], r: usize, t: usize) -> [[v128; TILE_TOKENS]; R] {
    let (bpr, shift) = (w.blocks_per_row(), w.shift());
    let mut acc = [[f32x4_splat(0.0); TILE_TOKENS]; R];
    for b in 0..bpr {
        let wv: [[v128; 2]; R] = std::array::from_fn(|i| w.block((r + i) * bpr + b));
        let s: [[f32; 2]; R] = std::array::from_fn(|i| w.scales((r + i) * bpr + b));
        for k in 0..TILE_TOKENS {
            let x = xs.get_unchecked(t + k);
            let xb = act_block(x, b);
            for i in 0..R {
                acc[i][k] = accumulate(B::G16, shift, acc[i][k], &wv[i], &xb, s[i], x.scales[b]);
            }
        }
    }
    acc
}

/// Rows `rows` of the batched product, `out[t * rows.len() + i] = row (rows.start + i) · xs[t]`.
fn matmul<B: Blocks>(w: &B, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    // Unpacking a packed row once pays from two tiles of tokens on.
    let unpack = B::PACKED && xs.len() >= 2 * TILE_TOKENS;
    let mut halves = vec![i32x4_splat(0); if unpack { 2 * 2 * w.blocks_per_row() } else { 0 }];
    let mut r = rows.start;
    while r < rows.end {
        // Two rows at a time where two are left: half the activation loads per dot. Not with
        // two scales per block (packed Q6_K): its tile's registers spill, slower than one row.
        let tile_rows = if !B::G16 && r + 2 <= rows.end { 2 } else { 1 };
        if unpack {
            unpack_rows(w, r, tile_rows, &mut halves);
            let unpacked = Unpacked { w, base: r * w.blocks_per_row(), halves: &halves };
            row_tiles(&unpacked, xs, rows.clone(), r, tile_rows, out);
        } else {
            row_tiles(w, xs, rows.clone(), r, tile_rows, out);
        }
        r += tile_rows;
    }
}

/// Rows `r..r + tile_rows` (one or two) of `matmul`, over all of `xs`.
#[inline(always)]
fn row_tiles<B: Blocks>(w: &B, xs: &[Q8Vector], rows: Range<usize>, r: usize, tile_rows: usize, out: &mut [f32]) {
    // out holds rows.len() results per token.
    let (start, n) = (rows.start, rows.len());
    let mut t = 0;
    while t + TILE_TOKENS <= xs.len() {
        let mut store = |i: usize, row: &[v128; TILE_TOKENS]| {
            for (k, acc) in row.iter().enumerate() {
                out[(t + k) * n + r + i - start] = hsum(*acc);
            }
        };
        // SAFETY: rows r..r + tile_rows and tokens t..t + TILE_TOKENS exist.
        unsafe {
            if tile_rows == 2 {
                let [a, b] = tile::<B, 2>(w, xs, r, t);
                store(0, &a);
                store(1, &b);
            } else {
                store(0, &tile::<B, 1>(w, xs, r, t)[0]);
            }
        }
        t += TILE_TOKENS;
    }
    for (k, x) in xs.iter().enumerate().skip(t) {
        matvec(w, x, r..r + tile_rows, &mut out[k * n + r - start..][..tile_rows]);
    }
}
