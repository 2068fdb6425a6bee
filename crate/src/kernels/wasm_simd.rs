//! `core::arch::wasm32` SIMD128 kernels: what runs in the browser.

use super::q4_k::Q4Matrix;
use super::q5_0::{fifths_at, Q5Matrix};
use super::q6_k::{block_at, Q6Matrix};
use super::quant::{Q8Matrix, Q8Vector, BLOCK};
use super::scalar::{subtract_block_mins, subtract_mins};
use core::arch::wasm32::*;
use std::ops::Range;

#[inline(always)]
pub(super) unsafe fn load(p: *const u8) -> v128 {
    v128_load(p as *const v128)
}

#[inline(always)]
pub(super) fn hsum(v: v128) -> f32 {
    f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v) + f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v)
}

/// One activation block: its four i16x8 vectors, and its `unshift16` lanes where the layout
/// needs them (packed Q5_0).
struct ActBlock {
    q: [v128; 4],
    unshift16: v128,
}

#[inline(always)]
unsafe fn act_block(x: &Q8Vector, b: usize, unshift16: bool) -> ActBlock {
    let p = x.quants.as_ptr().add(b * BLOCK) as *const u8;
    let unshift16 = if unshift16 { load(x.unshift16.as_ptr().add(b) as *const u8) } else { i32x4_splat(0) };
    ActBlock { q: [load(p), load(p.add(16)), load(p.add(32)), load(p.add(48))], unshift16 }
}

/// The four i16x8 quarters of one 32-block of i8 weights.
#[inline(always)]
unsafe fn widen(w: *const i8) -> [v128; 4] {
    let w0 = load(w as *const u8);
    let w1 = load((w as *const u8).add(16));
    [i16x8_extend_low_i8x16(w0), i16x8_extend_high_i8x16(w0), i16x8_extend_low_i8x16(w1), i16x8_extend_high_i8x16(w1)]
}

/// Adds one block's contribution to `acc`, with one scale per block or one per 16 values
/// (`g16`, a constant in every caller); `s` holds the block's scale (or its two halves'). With
/// `unshift16` (a constant too) the weights come shifted by +16 and the integer sums start from
/// the activation block's `unshift16` lanes, which take the shift back out exactly.
#[inline(always)]
unsafe fn accumulate(g16: bool, unshift16: bool, acc: v128, w: &[v128; 4], x: &ActBlock, s: [f32; 2], xs: f32) -> v128 {
    let lo = i32x4_add(i32x4_dot_i16x8(w[0], x.q[0]), i32x4_dot_i16x8(w[1], x.q[1]));
    let hi = i32x4_add(i32x4_dot_i16x8(w[2], x.q[2]), i32x4_dot_i16x8(w[3], x.q[3]));
    if g16 {
        let acc = f32x4_add(acc, f32x4_mul(f32x4_splat(s[0] * xs), f32x4_convert_i32x4(lo)));
        f32x4_add(acc, f32x4_mul(f32x4_splat(s[1] * xs), f32x4_convert_i32x4(hi)))
    } else {
        let sum = i32x4_add(lo, hi);
        let sum = if unshift16 { i32x4_add(sum, x.unshift16) } else { sum };
        f32x4_add(acc, f32x4_mul(f32x4_splat(s[0] * xs), f32x4_convert_i32x4(sum)))
    }
}

/// A weight layout as the kernels see it: block `idx` as four i16x8 quarters, and its scale
/// (or, with `G16`, its two halves'). One kernel frame (`matvec`, `matmul`) serves every layout.
trait Blocks {
    /// One scale per 16 values (Q6_K) instead of per block.
    const G16: bool;
    /// The blocks come shifted by +16 (packed Q5_0, unsigned): the sums start from the
    /// activations' `unshift16` lanes (see `accumulate`).
    const UNSHIFT16: bool = false;
    /// `block` unpacks (packed layouts): a pass over many tokens unpacks each row once
    /// (`Unpacked`) instead of once per tile.
    const PACKED: bool = true;
    fn blocks_per_row(&self) -> usize;
    /// SAFETY: `idx` < rows × blocks_per_row.
    unsafe fn block(&self, idx: usize) -> [v128; 4];
    unsafe fn scales(&self, idx: usize) -> [f32; 2];
}

/// The expanded layout (one i8 per weight), with G16 matching `m.group`.
struct Expanded<'a, const G16: bool>(&'a Q8Matrix);

impl<const G: bool> Blocks for Expanded<'_, G> {
    const G16: bool = G;
    const PACKED: bool = false;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 4] {
        widen(self.0.quants.as_ptr().add(idx * BLOCK))
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        if G {
            [*self.0.scales.get_unchecked(2 * idx), *self.0.scales.get_unchecked(2 * idx + 1)]
        } else {
            [*self.0.scales.get_unchecked(idx), 0.0]
        }
    }
}

/// Packed Q5_0 block `idx` as two u8x16 halves of 0..=31: the nibble, plus the fifth bit moved
/// to 0x10 from its plane with one 16-bit shift and a mask per half (see q5_0.rs). Shared with
/// the relaxed kernels, which take these as their unsigned operand.
#[inline(always)]
pub(super) unsafe fn q5_0_unsigned_halves(m: &Q5Matrix, idx: usize) -> [v128; 2] {
    let n = load(m.nibbles.as_ptr().add(idx * 16));
    let (at, j) = fifths_at(idx);
    let plane = load(m.fifths.as_ptr().add(at));
    let fifth = u8x16_splat(0x10);
    let lo = v128_or(v128_and(n, u8x16_splat(0x0F)), v128_and(u16x8_shr(plane, j), fifth));
    let hi = v128_or(u8x16_shr(n, 4), v128_and(u16x8_shl(plane, 4 - j), fifth));
    [lo, hi]
}

/// Packed Q5_0, unpacked in registers (`q5_0_unsigned_halves`) and widened as 0..=31; the −16
/// comes back out of the integer sums (`UNSHIFT16`: a SIMD128 build's `Q8Vector::unshift16`).
struct PackedQ5<'a>(&'a Q5Matrix);

impl Blocks for PackedQ5<'_> {
    const G16: bool = false;
    const UNSHIFT16: bool = true;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 4] {
        let [lo, hi] = q5_0_unsigned_halves(self.0, idx);
        [u16x8_extend_low_u8x16(lo), u16x8_extend_high_u8x16(lo), u16x8_extend_low_u8x16(hi), u16x8_extend_high_u8x16(hi)]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        [*self.0.scales.get_unchecked(idx), 0.0]
    }
}

/// Packed Q4_K: values 0..=15 straight from the nibbles (the mins are a separate pass).
struct PackedQ4<'a>(&'a Q4Matrix);

impl Blocks for PackedQ4<'_> {
    const G16: bool = false;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 4] {
        let n = load(self.0.nibbles.as_ptr().add(idx * 16));
        let lo = v128_and(n, u8x16_splat(0x0F));
        let hi = u8x16_shr(n, 4);
        [u16x8_extend_low_u8x16(lo), u16x8_extend_high_u8x16(lo), u16x8_extend_low_u8x16(hi), u16x8_extend_high_u8x16(hi)]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        [*self.0.scales.get_unchecked(idx), 0.0]
    }
}

/// Packed Q6_K block `idx` (GGUF's bit layout, see q6_k.rs) as two u8x16 halves of 0..=63: each
/// half is one load of `ql` shifted to its nibble and one of `qh` shifted to its crumb, the same
/// shifts in every lane. Shared with the relaxed kernels.
#[inline(always)]
pub(super) unsafe fn q6_k_unsigned_halves(m: &Q6Matrix, idx: usize) -> [v128; 2] {
    let (l, nibble_shift, h, crumb_shift) = block_at(idx);
    let (ql, qh) = (m.ql.as_ptr().add(l), m.qh.as_ptr().add(h));
    let half = |at: usize| {
        // SAFETY: the block's 32 bytes of ql and qh are in bounds (block_at).
        let (low, high) = unsafe { (load(ql.add(at)), load(qh.add(at))) };
        // 16-bit shifts (8-bit ones are emulated in V8), masked per byte after: the bits a
        // byte takes from its neighbour fall outside the mask.
        let nibbles = v128_and(u16x8_shr(low, nibble_shift), u8x16_splat(0x0F));
        // Bits crumb_shift, crumb_shift + 1 of qh to bits 4, 5.
        let crumb = i16x8_shl(u16x8_shr(high, crumb_shift), 4);
        v128_or(nibbles, v128_and(crumb, u8x16_splat(0x30)))
    };
    [half(0), half(16)]
}

/// Packed Q6_K, unpacked in registers (`q6_k_unsigned_halves`), then − 32.
struct PackedQ6<'a>(&'a Q6Matrix);

impl Blocks for PackedQ6<'_> {
    const G16: bool = true;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 4] {
        let [lo, hi] = q6_k_unsigned_halves(self.0, idx);
        let (lo, hi) = (i8x16_sub(lo, u8x16_splat(32)), i8x16_sub(hi, u8x16_splat(32)));
        [i16x8_extend_low_i8x16(lo), i16x8_extend_high_i8x16(lo), i16x8_extend_low_i8x16(hi), i16x8_extend_high_i8x16(hi)]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        self.0.scales(idx)
    }
}

/// One row of a packed layout (block `base` onwards), unpacked once into `quarters` (four i16x8
/// per block, any +16 shift taken back out) for a pass over many tokens: the tiles then read it
/// as they read the expanded layout (unpacking per tile of four tokens cost packed prefill
/// ~25 %). The same values and arithmetic, so the same bits.
struct Unpacked<'a, B> {
    w: &'a B,
    base: usize,
    quarters: &'a [v128],
}

impl<B: Blocks> Blocks for Unpacked<'_, B> {
    const G16: bool = B::G16;
    const PACKED: bool = false;
    fn blocks_per_row(&self) -> usize {
        self.w.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> [v128; 4] {
        let q = self.quarters.as_ptr().add(4 * (idx - self.base));
        [*q, *q.add(1), *q.add(2), *q.add(3)]
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        self.w.scales(idx)
    }
}

pub fn matvec_q8(w: &Q8Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    if w.group == 16 {
        matvec(&Expanded::<true>(w), x, rows.clone(), out)
    } else {
        matvec(&Expanded::<false>(w), x, rows.clone(), out)
    }
    subtract_mins(w, x, rows, out);
}

pub fn matvec_q5(w: &Q5Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    assert!(!super::quant::RELAXED, "a relaxed build's unshift16 lanes are in another order");
    matvec(&PackedQ5(w), x, rows, out)
}

pub fn matvec_q4(w: &Q4Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ4(w), x, rows.clone(), out);
    subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows, out);
}

pub fn matvec_q6(w: &Q6Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ6(w), x, rows, out)
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
                let xb = act_block(x, b, B::UNSHIFT16);
                for k in 0..4 {
                    let idx = (r + k) * bpr + b;
                    acc[k] = accumulate(B::G16, B::UNSHIFT16, acc[k], &w.block(idx), &xb, w.scales(idx), x.scales[b]);
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
                let xb = act_block(x, b, B::UNSHIFT16);
                let idx = r * bpr + b;
                acc = accumulate(B::G16, B::UNSHIFT16, acc, &w.block(idx), &xb, w.scales(idx), x.scales[b]);
            }
        }
        out[i] = hsum(acc);
        i += 1;
    }
}

pub fn matmul_q8(w: &Q8Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    if w.group == 16 {
        matmul(&Expanded::<true>(w), xs, rows.clone(), out)
    } else {
        matmul(&Expanded::<false>(w), xs, rows.clone(), out)
    }
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        subtract_mins(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

pub fn matmul_q5(w: &Q5Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    assert!(!super::quant::RELAXED, "a relaxed build's unshift16 lanes are in another order");
    matmul(&PackedQ5(w), xs, rows, out)
}

pub fn matmul_q4(w: &Q4Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ4(w), xs, rows.clone(), out);
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

pub fn matmul_q6(w: &Q6Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ6(w), xs, rows, out)
}

/// Rows `rows` of the batched product, `out[t * rows.len() + i] = row (rows.start + i) · xs[t]`.
fn matmul<B: Blocks>(w: &B, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    // Unpacking a packed row once pays from two tiles of tokens on.
    if !B::PACKED || xs.len() < 2 * TILE_TOKENS {
        return rows.clone().for_each(|r| row_tiles(w, xs, rows.clone(), r, out));
    }
    let bpr = w.blocks_per_row();
    let mut quarters = vec![i32x4_splat(0); 4 * bpr];
    for r in rows.clone() {
        for (b, q) in quarters.chunks_exact_mut(4).enumerate() {
            // SAFETY: block b of row r exists.
            let block = unsafe { w.block(r * bpr + b) };
            // Stored with the shift taken out (once per row, not once per token).
            q.copy_from_slice(&if B::UNSHIFT16 { block.map(|v| i16x8_sub(v, i16x8_splat(16))) } else { block });
        }
        row_tiles(&Unpacked { w, base: r * bpr, quarters: &quarters }, xs, rows.clone(), r, out);
    }
}

/// Tokens per tile of the batched product.
const TILE_TOKENS: usize = 4;

/// Row `r` of `matmul`, over all of `xs`.
#[inline(always)]
fn row_tiles<B: Blocks>(w: &B, xs: &[Q8Vector], rows: Range<usize>, r: usize, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    // out holds rows.len() results per token.
    let (start, n) = (rows.start, rows.len());
    const T: usize = TILE_TOKENS;
    let mut t = 0;
    // Four tokens at a time: each weight block is loaded once and used four times.
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
                    let xb = act_block(x, b, B::UNSHIFT16);
                    acc[k] = accumulate(B::G16, B::UNSHIFT16, acc[k], &wv, &xb, s, x.scales[b]);
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

/// `quant::quantize_block` four values at a time, bit for bit: the largest |x| (a maximum is
/// exact whatever the order; NaN is passed over as there), the same scalar `d` and `1/d`, the
/// same products, rounded half away from zero as `round_half_away` does (`v − trunc(v)` is exact),
/// converted with saturation as Rust's `as i16` (NaN → 0).
pub fn quantize_block(x: &[f32]) -> (f32, [i16; BLOCK]) {
    assert_eq!(x.len(), BLOCK, "one block of activations");
    // SAFETY: x has BLOCK = 32 floats, eight vectors.
    let v: [v128; BLOCK / 4] = std::array::from_fn(|i| unsafe { v128_load(x.as_ptr().add(4 * i) as *const v128) });
    // pmax(m, a) = if m < a { a } else { m }: the scalar fold's step, lane by lane.
    let m = v.iter().fold(f32x4_splat(0.0), |m, &v| f32x4_pmax(m, f32x4_abs(v)));
    let lanes = [f32x4_extract_lane::<0>(m), f32x4_extract_lane::<1>(m), f32x4_extract_lane::<2>(m), f32x4_extract_lane::<3>(m)];
    let amax = lanes.into_iter().fold(0f32, |m, v| if v > m { v } else { m });
    let d = amax / 127.0;
    let id = f32x4_splat(if d != 0.0 { 1.0 / d } else { 0.0 });
    let (half, one, sign) = (f32x4_splat(0.5), f32x4_splat(1.0), f32x4_splat(-0.0));
    let rounded = v.map(|v| {
        let p = f32x4_mul(v, id);
        let t = f32x4_trunc(p);
        let away = f32x4_add(t, v128_or(one, v128_and(p, sign)));
        i32x4_trunc_sat_f32x4(v128_bitselect(away, t, f32x4_ge(f32x4_abs(f32x4_sub(p, t)), half)))
    });
    let mut q = [0i16; BLOCK];
    for (i, pair) in rounded.chunks_exact(2).enumerate() {
        // SAFETY: 8 i16 lanes at q[8i..8i + 8], inside the 32.
        unsafe { v128_store(q.as_mut_ptr().add(8 * i) as *mut v128, i16x8_narrow_i32x4(pair[0], pair[1])) };
    }
    (half::f16::from_f32(d).to_f32(), q)
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let mut acc = f32x4_splat(0.0);
    let mut i = 0;
    while i + 4 <= n {
        // SAFETY: i + 4 <= n.
        unsafe {
            let x = v128_load(a.as_ptr().add(i) as *const v128);
            let y = v128_load(b.as_ptr().add(i) as *const v128);
            acc = f32x4_add(acc, f32x4_mul(x, y));
        }
        i += 4;
    }
    let mut s = hsum(acc);
    while i < n {
        s += a[i] * b[i];
        i += 1;
    }
    s
}

/// Four positions' scores at a time: four independent sums over the head (a single running
/// sum per position waits on its adds), then one transpose-add instead of four lane-by-lane
/// horizontal sums. The caller (`kernels::attention_scores`) checked the bounds.
pub fn attention_scores(q: &[f32], keys: &[f32], stride: usize, scale: f32, out: &mut [f32]) {
    let (hd, n) = (q.len(), out.len());
    let whole = hd - hd % 4;
    let s = f32x4_splat(scale);
    let mut p = 0;
    while p + 4 <= n {
        let mut acc = [f32x4_splat(0.0); 4];
        let mut i = 0;
        while i < whole {
            // SAFETY: i + 4 <= hd; positions p..p + 4 < n are in `keys` (checked by the caller).
            unsafe {
                let x = v128_load(q.as_ptr().add(i) as *const v128);
                for (j, a) in acc.iter_mut().enumerate() {
                    let k = v128_load(keys.as_ptr().add((p + j) * stride + i) as *const v128);
                    *a = f32x4_add(*a, f32x4_mul(x, k));
                }
            }
            i += 4;
        }
        // [Σa0, Σa1, Σa2, Σa3] from the four accumulators.
        let lo = f32x4_add(i32x4_shuffle::<0, 4, 2, 6>(acc[0], acc[1]), i32x4_shuffle::<1, 5, 3, 7>(acc[0], acc[1]));
        let hi = f32x4_add(i32x4_shuffle::<0, 4, 2, 6>(acc[2], acc[3]), i32x4_shuffle::<1, 5, 3, 7>(acc[2], acc[3]));
        let sums = f32x4_add(i32x4_shuffle::<0, 1, 4, 5>(lo, hi), i32x4_shuffle::<2, 3, 6, 7>(lo, hi));
        let mut scores = f32x4_mul(sums, s);
        if whole < hd {
            let mut tail = [0f32; 4];
            for (j, t) in tail.iter_mut().enumerate() {
                let k = &keys[(p + j) * stride..];
                *t = (whole..hd).map(|i| q[i] * k[i]).sum::<f32>() * scale;
            }
            // SAFETY: a 16-byte read of a [f32; 4].
            scores = f32x4_add(scores, unsafe { v128_load(tail.as_ptr() as *const v128) });
        }
        // SAFETY: p + 4 <= n.
        unsafe { v128_store(out.as_mut_ptr().add(p) as *mut v128, scores) };
        p += 4;
    }
    for (j, score) in out.iter_mut().enumerate().skip(p) {
        *score = dot(q, &keys[j * stride..][..hd]) * scale;
    }
}

/// The head's output kept in registers, 32 floats at a time, while the positions stream by
/// (an `axpy` per position would load and store it each time); the same sums in the same order
/// as `scalar::attention_mix`.
pub fn attention_mix(weights: &[f32], values: &[f32], stride: usize, out: &mut [f32]) {
    const CHUNK: usize = 32;
    let hd = out.len();
    let mut c = 0;
    while c + CHUNK <= hd {
        let mut acc = [f32x4_splat(0.0); CHUNK / 4];
        for (p, &w) in weights.iter().enumerate() {
            let w = f32x4_splat(w);
            for (j, a) in acc.iter_mut().enumerate() {
                // SAFETY: c + 4j + 4 <= hd, and position p's row is in `values` (checked by the caller).
                let v = unsafe { v128_load(values.as_ptr().add(p * stride + c + 4 * j) as *const v128) };
                *a = f32x4_add(*a, f32x4_mul(w, v));
            }
        }
        for (j, a) in acc.iter().enumerate() {
            // SAFETY: c + 4j + 4 <= hd.
            unsafe { v128_store(out.as_mut_ptr().add(c + 4 * j) as *mut v128, *a) };
        }
        c += CHUNK;
    }
    if c < hd {
        let rest = &mut out[c..];
        rest.fill(0.0);
        for (p, &w) in weights.iter().enumerate() {
            axpy(rest, w, &values[p * stride + c..][..hd - c]);
        }
    }
}

pub fn axpy(acc: &mut [f32], alpha: f32, v: &[f32]) {
    let n = acc.len().min(v.len());
    let a = f32x4_splat(alpha);
    let mut i = 0;
    while i + 4 <= n {
        // SAFETY: i + 4 <= n.
        unsafe {
            let p = acc.as_mut_ptr().add(i) as *mut v128;
            let x = v128_load(v.as_ptr().add(i) as *const v128);
            v128_store(p, f32x4_add(v128_load(p), f32x4_mul(a, x)));
        }
        i += 4;
    }
    while i < n {
        acc[i] += alpha * v[i];
        i += 1;
    }
}

pub fn rms_norm(x: &[f32], weight: &[f32], eps: f32, out: &mut [f32]) {
    let scale = 1.0 / (dot(x, x) / x.len() as f32 + eps).sqrt();
    let s = f32x4_splat(scale);
    let n = x.len().min(weight.len()).min(out.len());
    let mut i = 0;
    while i + 4 <= n {
        // SAFETY: i + 4 <= n for all three slices.
        unsafe {
            let v = v128_load(x.as_ptr().add(i) as *const v128);
            let w = v128_load(weight.as_ptr().add(i) as *const v128);
            v128_store(out.as_mut_ptr().add(i) as *mut v128, f32x4_mul(f32x4_mul(v, s), w));
        }
        i += 4;
    }
    while i < n {
        out[i] = x[i] * scale * weight[i];
        i += 1;
    }
}

/// e^x for four lanes: x = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial for e^r, scale by 2^n.
/// Relative error ~2e-7 over the range softmax and SiLU use; underflows cleanly to 0.
#[inline(always)]
fn exp4(x: v128) -> v128 {
    let x = f32x4_max(f32x4_min(x, f32x4_splat(88.0)), f32x4_splat(-87.0));
    let n = f32x4_nearest(f32x4_mul(x, f32x4_splat(std::f32::consts::LOG2_E)));
    // r = x − n·ln2 in two steps (Cody–Waite) for precision.
    let r = f32x4_sub(x, f32x4_mul(n, f32x4_splat(0.693_145_75)));
    let r = f32x4_sub(r, f32x4_mul(n, f32x4_splat(1.428_606_8e-6)));
    let mut p = f32x4_splat(1.0 / 720.0);
    for c in [1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0] {
        p = f32x4_add(f32x4_mul(p, r), f32x4_splat(c));
    }
    let bits = i32x4_shl(i32x4_add(i32x4_trunc_sat_f32x4(n), i32x4_splat(127)), 23);
    f32x4_mul(p, bits)
}

pub fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let m = f32x4_splat(max);
    let n = x.len();
    let mut sum = f32x4_splat(0.0);
    let mut i = 0;
    while i + 4 <= n {
        // SAFETY: i + 4 <= n.
        unsafe {
            let p = x.as_mut_ptr().add(i) as *mut v128;
            let e = exp4(f32x4_sub(v128_load(p), m));
            v128_store(p, e);
            sum = f32x4_add(sum, e);
        }
        i += 4;
    }
    let mut total = hsum(sum);
    while i < n {
        x[i] = (x[i] - max).exp();
        total += x[i];
        i += 1;
    }
    let inv = 1.0 / total;
    for v in x.iter_mut() {
        *v *= inv;
    }
}

pub fn silu_mul(gate: &mut [f32], up: &[f32]) {
    let n = gate.len().min(up.len());
    let one = f32x4_splat(1.0);
    let mut i = 0;
    while i + 4 <= n {
        // SAFETY: i + 4 <= n.
        unsafe {
            let p = gate.as_mut_ptr().add(i) as *mut v128;
            let g = v128_load(p);
            let u = v128_load(up.as_ptr().add(i) as *const v128);
            let sig = f32x4_div(one, f32x4_add(one, exp4(f32x4_neg(g))));
            v128_store(p, f32x4_mul(f32x4_mul(g, sig), u));
        }
        i += 4;
    }
    while i < n {
        gate[i] = gate[i] / (1.0 + (-gate[i]).exp()) * up[i];
        i += 1;
    }
}

pub fn rope(x: &mut [f32], head_dim: usize, cos: &[f32], sin: &[f32]) {
    let half = head_dim / 2;
    for head in x.chunks_exact_mut(head_dim) {
        let (a, b) = head.split_at_mut(half);
        let mut i = 0;
        while i + 4 <= half {
            // SAFETY: i + 4 <= half for a, b, cos and sin.
            unsafe {
                let pa = a.as_mut_ptr().add(i) as *mut v128;
                let pb = b.as_mut_ptr().add(i) as *mut v128;
                let (x0, x1) = (v128_load(pa), v128_load(pb));
                let c = v128_load(cos.as_ptr().add(i) as *const v128);
                let s = v128_load(sin.as_ptr().add(i) as *const v128);
                v128_store(pa, f32x4_sub(f32x4_mul(x0, c), f32x4_mul(x1, s)));
                v128_store(pb, f32x4_add(f32x4_mul(x0, s), f32x4_mul(x1, c)));
            }
            i += 4;
        }
        while i < half {
            let (x0, x1) = (a[i], b[i]);
            a[i] = x0 * cos[i] - x1 * sin[i];
            b[i] = x0 * sin[i] + x1 * cos[i];
            i += 1;
        }
    }
}
