//! Relaxed-SIMD weight products (`i32x4.relaxed_dot_i8x16_i7x16_add`), for builds with
//! `+relaxed-simd`; everything else comes from `wasm_simd`.
//!
//! The instruction multiplies i8 by i7 lanes and sums each four products into an i32. Its
//! result is implementation-defined only when the second operand has its top bit set, so the
//! weights go in as that operand, shifted into 0..=127 (`Q8Matrix::unsigned_shift`: Q5_0 + 16,
//! Q6_K + 32, Q4_K as stored), and the activations (|q| ≤ 127) as the signed one. Each block's
//! integer sum is exact on every engine. The shift comes back out after the rows, like Q4_K's
//! mins: Σ s·d·Σ(w + k)·x − k · Σ s·(d·Σx), one short dot per row (1/32 of the work), so the
//! inner loop is two dot instructions per 32 weights instead of four widenings and four i16
//! dots. Results differ from the scalar reference only by float rounding (as SIMD128's do).

use super::q4_k::Q4Matrix;
use super::q5_0::Q5Matrix;
use super::quant::{Q8Matrix, Q8Vector, BLOCK};
use super::scalar::{subtract_block_mins, subtract_mins};
use super::wasm_simd::{self, dot, hsum, load};
use core::arch::wasm32::*;
use std::ops::Range;

/// One activation block's 32 quants as two i8x16.
#[inline(always)]
unsafe fn act_block(x: &Q8Vector, b: usize) -> [v128; 2] {
    let p = x.bytes.as_ptr().add(b * BLOCK) as *const u8;
    [load(p), load(p.add(16))]
}

/// Adds one block's contribution to `acc`: one scale per block, or one per 16 values (`g16`,
/// a constant in every caller); `s` points at the block's first scale.
#[inline(always)]
unsafe fn accumulate(g16: bool, acc: v128, w: &[v128; 2], x: &[v128; 2], s: *const f32, xs: f32) -> v128 {
    let zero = i32x4_splat(0);
    if g16 {
        let lo = i32x4_relaxed_dot_i8x16_i7x16_add(x[0], w[0], zero);
        let hi = i32x4_relaxed_dot_i8x16_i7x16_add(x[1], w[1], zero);
        let acc = f32x4_add(acc, f32x4_mul(f32x4_splat(*s * xs), f32x4_convert_i32x4(lo)));
        f32x4_add(acc, f32x4_mul(f32x4_splat(*s.add(1) * xs), f32x4_convert_i32x4(hi)))
    } else {
        let d = i32x4_relaxed_dot_i8x16_i7x16_add(x[1], w[1], i32x4_relaxed_dot_i8x16_i7x16_add(x[0], w[0], zero));
        f32x4_add(acc, f32x4_mul(f32x4_splat(*s * xs), f32x4_convert_i32x4(d)))
    }
}

/// `out[i] −= k · Σ_g scale[row, g] · x.sum[g]` over rows `rows`: the shift `k` taken back out,
/// with one scale per `group` values (32 or 16).
fn unshift(scales: &[f32], group: usize, k: i8, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    if k == 0 {
        return;
    }
    let (sums, k) = (if group == 16 { &x.sums16 } else { &x.sums }, k as f32);
    let per_row = sums.len();
    for (o, r) in out.iter_mut().zip(rows) {
        *o -= k * dot(&scales[r * per_row..(r + 1) * per_row], sums);
    }
}

/// A weight layout as these kernels see it: block `idx` as two u7x16 halves (already shifted)
/// and where its scales start.
trait Blocks {
    const G16: bool;
    fn blocks_per_row(&self) -> usize;
    /// SAFETY: `idx` < rows × blocks_per_row.
    unsafe fn block(&self, idx: usize) -> [v128; 2];
    unsafe fn scales(&self, idx: usize) -> *const f32;
}

/// The expanded layout, for matrices whose `unsigned_shift` is known.
struct Expanded<'a, const G16: bool>(&'a Q8Matrix, i8);

impl<const G: bool> Blocks for Expanded<'_, G> {
    const G16: bool = G;
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
    unsafe fn scales(&self, idx: usize) -> *const f32 {
        self.0.scales.as_ptr().add(idx * if G { 2 } else { 1 })
    }
}

/// Packed Q5_0 as 0..=31: the nibble, plus 16 where the block's high bit is set (each bit of
/// `highs` spread to its byte as in `wasm_simd`); the −16 is the shift.
struct PackedQ5<'a>(&'a Q5Matrix);

impl Blocks for PackedQ5<'_> {
    const G16: bool = false;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 2] {
        let n = load(self.0.nibbles.as_ptr().add(idx * 16));
        let qh = u32x4_splat(*self.0.highs.get_unchecked(idx));
        let bit = u8x16(1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128);
        let sixteen = u8x16_splat(0x10);
        let high = |bytes: v128| v128_and(i8x16_eq(v128_and(i8x16_swizzle(qh, bytes), bit), bit), sixteen);
        let lo = v128_or(v128_and(n, u8x16_splat(0x0F)), high(u8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1)));
        let hi = v128_or(u8x16_shr(n, 4), high(u8x16(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3)));
        [lo, hi]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> *const f32 {
        self.0.scales.as_ptr().add(idx)
    }
}

/// Packed Q4_K: 0..=15 straight from the nibbles (the mins are a separate pass).
struct PackedQ4<'a>(&'a Q4Matrix);

impl Blocks for PackedQ4<'_> {
    const G16: bool = false;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 2] {
        let n = load(self.0.nibbles.as_ptr().add(idx * 16));
        [v128_and(n, u8x16_splat(0x0F)), u8x16_shr(n, 4)]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> *const f32 {
        self.0.scales.as_ptr().add(idx)
    }
}

pub fn matvec_q8(w: &Q8Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    let Some(k) = w.unsigned_shift else { return wasm_simd::matvec_q8(w, x, rows, out) };
    if w.group == 16 {
        matvec(&Expanded::<true>(w, k), x, rows.clone(), out)
    } else {
        matvec(&Expanded::<false>(w, k), x, rows.clone(), out)
    }
    unshift(&w.scales, w.group, k, x, rows.clone(), out);
    subtract_mins(w, x, rows, out);
}

pub fn matvec_q5(w: &Q5Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ5(w), x, rows.clone(), out);
    unshift(&w.scales, BLOCK, 16, x, rows, out);
}

pub fn matvec_q4(w: &Q4Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ4(w), x, rows.clone(), out);
    subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows, out);
}

fn matvec<B: Blocks>(w: &B, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
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
                    acc[k] = accumulate(B::G16, acc[k], &w.block(idx), &xb, w.scales(idx), x.scales[b]);
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
                acc = accumulate(B::G16, acc, &w.block(idx), &act_block(x, b), w.scales(idx), x.scales[b]);
            }
        }
        out[i] = hsum(acc);
        i += 1;
    }
}

pub fn matmul_q8(w: &Q8Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    let Some(k) = w.unsigned_shift else { return wasm_simd::matmul_q8(w, xs, rows, out) };
    if w.group == 16 {
        matmul(&Expanded::<true>(w, k), xs, rows.clone(), out)
    } else {
        matmul(&Expanded::<false>(w, k), xs, rows.clone(), out)
    }
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        let out = &mut out[t * n..(t + 1) * n];
        unshift(&w.scales, w.group, k, x, rows.clone(), out);
        subtract_mins(w, x, rows.clone(), out);
    }
}

pub fn matmul_q5(w: &Q5Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ5(w), xs, rows.clone(), out);
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        unshift(&w.scales, BLOCK, 16, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

pub fn matmul_q4(w: &Q4Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ4(w), xs, rows.clone(), out);
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

fn matmul<B: Blocks>(w: &B, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    // out holds rows.len() results per token.
    let (start, n) = (rows.start, rows.len());
    const T: usize = 4;
    for r in rows {
        let mut t = 0;
        // Four tokens at a time: each weight block is unpacked once and used four times.
        while t + T <= xs.len() {
            let mut acc = [f32x4_splat(0.0); T];
            for b in 0..bpr {
                let idx = r * bpr + b;
                // SAFETY: block idx of w and block b of each x are in bounds.
                unsafe {
                    let wv = w.block(idx);
                    let s = w.scales(idx);
                    for k in 0..T {
                        let x = &xs[t + k];
                        acc[k] = accumulate(B::G16, acc[k], &wv, &act_block(x, b), s, x.scales[b]);
                    }
                }
            }
            for k in 0..T {
                out[(t + k) * n + r - start] = hsum(acc[k]);
            }
            t += T;
        }
        for (k, x) in xs.iter().enumerate().skip(t) {
            matvec(w, x, r..r + 1, &mut out[k * n + r - start..][..1]);
        }
    }
}
