//! The relaxed-SIMD products over row-quad Q5_0, Q4_K and Q6_K (`Q5Quads`, `Q4Quads`, `Q6Quads`;
//! the layouts' comments have the lanes). Per quad block: eight relaxed i16 pair dots (`dots`),
//! each of one weight vector (four values of each of four rows, unsigned: 0..=31, 0..=15,
//! 0..=63) with one 32-bit word of the activations splatted (the signed operand), summed in i16
//! as far as no sum can wrap, then widened into one i32 lane per row. Q5_0's start from the
//! block's `−16·Σx` in every lane, Q6_K's make two sums (one per 16-value half, each with its own
//! scale, from `−32·Σx` of its half), Q4_K's start from 0 and the four rows' `Σ min · x.sum` (the
//! scalar min pass, in its order) comes off each quad's lanes before they are stored. The four
//! i32 lanes are the four rows' exact integer sums, and `acc += (d · x.scale) · sum` per lane is
//! the scalar reference's float arithmetic in its order, so the results are bit-identical to the
//! scalar one-row products, for one token or many.

use super::q4_k_quads::Q4Quads;
use super::q5_0_quads::{Q5Quads, QUAD};
use super::q6_k_quads::Q6Quads;
use super::quant::{Q8Vector, BLOCK};
use super::wasm_simd::load;
use core::arch::wasm32::*;
use std::ops::Range;

/// Weight vectors per quad block.
const VECTORS: usize = 8;

/// A row-quad layout as the loops below see it.
trait Quads {
    fn rows(&self) -> usize;
    fn blocks_per_row(&self) -> usize;
    /// Quad block `qb`'s eight weight vectors, unsigned (the shift comes out in `accumulate`).
    /// SAFETY: `qb` < quads × blocks_per_row.
    unsafe fn weight_vectors(&self, qb: usize) -> [v128; VECTORS];
    /// `acc` plus quad `q`'s block `b` (at `qb`) times activation `x`'s block `b`.
    /// SAFETY: `q`, `b` exist; `x` is a relaxed build's vector (`bytes`, `unshift16`) of `cols`.
    unsafe fn accumulate(&self, acc: v128, q: usize, qb: usize, b: usize, wv: &[v128; VECTORS], x: &Q8Vector) -> v128;
    /// Quad `q`'s four sums for `x` as stored (Q4_K: less its mins).
    /// SAFETY: quad `q` exists; `x` has the matrix's blocks.
    #[inline(always)]
    unsafe fn finish(&self, acc: v128, _q: usize, _x: &Q8Vector) -> v128 {
        acc
    }
}

/// `start` plus the dot products of the weight vectors `wv` with activation bytes 4(first + v)..
/// of block `b`, splatted (vector v meets word first + v). Each product is one
/// `i16x8.relaxed_dot_i8x16_i7x16` (x86: one pmaddubsw; lanes 2k, 2k + 1 are row k's pairs), and
/// `GROUP` of them are added as i16 before one pairwise widening into the rows' i32 lanes: about
/// half the multiplies of one `i32x4` relaxed dot-add per vector (pmaddubsw + pmaddwd). The
/// caller's `GROUP` keeps every i16 sum exact (see `fits_i16`), so the i32 lanes are the exact
/// integer sums either way.
#[inline(always)]
unsafe fn dots<const GROUP: usize>(start: v128, wv: &[v128], x: &Q8Vector, b: usize, first: usize) -> v128 {
    let p = (x.bytes.as_ptr().add(b * BLOCK) as *const u32).add(first);
    let mut sum = start;
    for (g, group) in wv.chunks(GROUP).enumerate() {
        let word = |i: usize| v128_load32_splat(p.add(g * GROUP + i));
        let mut pairs = i16x8_relaxed_dot_i8x16_i7x16(word(0), group[0]);
        for (i, wv) in group.iter().enumerate().skip(1) {
            pairs = i16x8_add(pairs, i16x8_relaxed_dot_i8x16_i7x16(word(i), *wv));
        }
        sum = i32x4_add(sum, i32x4_extadd_pairwise_i16x8(pairs));
    }
    sum
}

/// Whether `group` pair products of weights ≤ `max_weight` with activations |x| ≤ 127 always sum
/// within i16 (each i16 lane adds two products per vector).
const fn fits_i16(group: usize, max_weight: i32) -> bool {
    group as i32 * 2 * max_weight * 127 <= i16::MAX as i32
}

/// Vectors summed in i16 per widening: the most that cannot wrap for 5-bit (Q5_0: 4), 4-bit
/// (Q4_K: 8, the whole block) and 6-bit (Q6_K: 2) weights.
const Q5_GROUP: usize = 4;
const Q4_GROUP: usize = 8;
const Q6_GROUP: usize = 2;
const _: () = assert!(fits_i16(Q5_GROUP, 31) && !fits_i16(2 * Q5_GROUP, 31));
const _: () = assert!(fits_i16(Q4_GROUP, 15));
const _: () = assert!(fits_i16(Q6_GROUP, 63) && !fits_i16(2 * Q6_GROUP, 63));

impl Quads for Q5Quads {
    fn rows(&self) -> usize {
        self.rows
    }
    fn blocks_per_row(&self) -> usize {
        Q5Quads::blocks_per_row(self)
    }
    #[inline(always)]
    unsafe fn weight_vectors(&self, qb: usize) -> [v128; VECTORS] {
        let n = self.nibbles.as_ptr().add(qb * 64);
        let f = load(self.fifths.as_ptr().add(qb * 16));
        let (low, bit) = (u8x16_splat(0x0f), u8x16_splat(0x10));
        let nib = [load(n), load(n.add(16)), load(n.add(32)), load(n.add(48))];
        // 16-bit shifts (x86 has no 8-bit one: V8 emulates wasm's with extra masks); the bits
        // that cross into the neighbouring byte land outside the masks (shifts by ≤ 4).
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
    #[inline(always)]
    unsafe fn accumulate(&self, acc: v128, _q: usize, qb: usize, b: usize, wv: &[v128; VECTORS], x: &Q8Vector) -> v128 {
        let unshift = x.unshift16.get_unchecked(b);
        let sum = dots::<Q5_GROUP>(i32x4_splat(unshift[0] + unshift[1]), wv, x, b, 0);
        let scales = f32x4_mul(load(self.scales.as_ptr().add(qb * QUAD) as *const u8), f32x4_splat(*x.scales.get_unchecked(b)));
        f32x4_add(acc, f32x4_mul(scales, f32x4_convert_i32x4(sum)))
    }
}

impl Quads for Q4Quads {
    fn rows(&self) -> usize {
        self.rows
    }
    fn blocks_per_row(&self) -> usize {
        Q4Quads::blocks_per_row(self)
    }
    #[inline(always)]
    unsafe fn weight_vectors(&self, qb: usize) -> [v128; VECTORS] {
        let n = self.nibbles.as_ptr().add(qb * 64);
        let low = u8x16_splat(0x0f);
        let nib = [load(n), load(n.add(16)), load(n.add(32)), load(n.add(48))];
        [
            v128_and(nib[0], low),
            v128_and(nib[1], low),
            v128_and(nib[2], low),
            v128_and(nib[3], low),
            v128_and(u16x8_shr(nib[0], 4), low),
            v128_and(u16x8_shr(nib[1], 4), low),
            v128_and(u16x8_shr(nib[2], 4), low),
            v128_and(u16x8_shr(nib[3], 4), low),
        ]
    }
    #[inline(always)]
    unsafe fn accumulate(&self, acc: v128, _q: usize, qb: usize, b: usize, wv: &[v128; VECTORS], x: &Q8Vector) -> v128 {
        // Values 0..=15 as stored: no shift to take out.
        let sum = dots::<Q4_GROUP>(i32x4_splat(0), wv, x, b, 0);
        let scales = f32x4_mul(load(self.scales.as_ptr().add(qb * QUAD) as *const u8), f32x4_splat(*x.scales.get_unchecked(b)));
        f32x4_add(acc, f32x4_mul(scales, f32x4_convert_i32x4(sum)))
    }
    /// `acc − Σ_b min · x.sum` per row: the scalar min pass's products and sum (from −0.0,
    /// as f32's `Sum`, block by block) in four lanes, and its one rounding of the difference.
    #[inline(always)]
    unsafe fn finish(&self, acc: v128, q: usize, x: &Q8Vector) -> v128 {
        let bpr = self.blocks_per_row();
        let mut mins = f32x4_splat(-0.0);
        for b in 0..bpr {
            let m = load(self.mins.as_ptr().add((q * bpr + b) * QUAD) as *const u8);
            mins = f32x4_add(mins, f32x4_mul(m, f32x4_splat(*x.sums.get_unchecked(b))));
        }
        f32x4_sub(acc, mins)
    }
}

impl Quads for Q6Quads {
    fn rows(&self) -> usize {
        self.rows
    }
    fn blocks_per_row(&self) -> usize {
        Q6Quads::blocks_per_row(self)
    }
    #[inline(always)]
    unsafe fn weight_vectors(&self, qb: usize) -> [v128; VECTORS] {
        let n = self.nibbles.as_ptr().add(qb * 64);
        let c = self.crumbs.as_ptr().add(qb * 32);
        let (c0, c1) = (load(c), load(c.add(16)));
        let (low, top) = (u8x16_splat(0x0f), u8x16_splat(0x30));
        let nib = [load(n), load(n.add(16)), load(n.add(32)), load(n.add(48))];
        // Vector v's high bits are bits 2j, 2j + 1 of plane v / 4 (j = v mod 4), moved to bits
        // 4 and 5; as above, 16-bit shifts whose spill-over lands outside the masks.
        [
            v128_or(v128_and(nib[0], low), v128_and(i16x8_shl(c0, 4), top)),
            v128_or(v128_and(nib[1], low), v128_and(i16x8_shl(c0, 2), top)),
            v128_or(v128_and(nib[2], low), v128_and(c0, top)),
            v128_or(v128_and(nib[3], low), v128_and(u16x8_shr(c0, 2), top)),
            v128_or(v128_and(u16x8_shr(nib[0], 4), low), v128_and(i16x8_shl(c1, 4), top)),
            v128_or(v128_and(u16x8_shr(nib[1], 4), low), v128_and(i16x8_shl(c1, 2), top)),
            v128_or(v128_and(u16x8_shr(nib[2], 4), low), v128_and(c1, top)),
            v128_or(v128_and(u16x8_shr(nib[3], 4), low), v128_and(u16x8_shr(c1, 2), top)),
        ]
    }
    #[inline(always)]
    unsafe fn accumulate(&self, acc: v128, q: usize, qb: usize, b: usize, wv: &[v128; VECTORS], x: &Q8Vector) -> v128 {
        let unshift = x.unshift16.get_unchecked(b);
        let lo = dots::<Q6_GROUP>(i32x4_splat(2 * unshift[0]), &wv[..4], x, b, 0);
        let hi = dots::<Q6_GROUP>(i32x4_splat(2 * unshift[1]), &wv[4..], x, b, 4);
        // d · scale per row and half, in f32 as `Q6Matrix::scales` forms it.
        let subs = i16x8_extend_low_i8x16(v128_load64_zero(self.sub_scales.as_ptr().add(qb * 8) as *const u64));
        let d = load(self.d.as_ptr().add(self.d_at(q, b)) as *const u8);
        let xs = f32x4_splat(*x.scales.get_unchecked(b));
        let s0 = f32x4_mul(f32x4_mul(d, f32x4_convert_i32x4(i32x4_extend_low_i16x8(subs))), xs);
        let s1 = f32x4_mul(f32x4_mul(d, f32x4_convert_i32x4(i32x4_extend_high_i16x8(subs))), xs);
        let acc = f32x4_add(acc, f32x4_mul(s0, f32x4_convert_i32x4(lo)));
        f32x4_add(acc, f32x4_mul(s1, f32x4_convert_i32x4(hi)))
    }
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
fn quads<W: Quads>(w: &W, rows: &Range<usize>) -> Range<usize> {
    assert!(rows.end <= w.rows(), "rows {rows:?} out of {}", w.rows());
    rows.start / QUAD..rows.end.div_ceil(QUAD)
}

pub fn matmul_q5_quads(w: &Q5Quads, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(w, xs, rows, out)
}

pub fn matmul_q4_quads(w: &Q4Quads, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(w, xs, rows, out)
}

pub fn matmul_q6_quads(w: &Q6Quads, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(w, xs, rows, out)
}

fn matvec<W: Quads>(w: &W, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    for q in quads(w, &rows) {
        let mut acc = f32x4_splat(0.0);
        for b in 0..bpr {
            let qb = q * bpr + b;
            // SAFETY: quad q exists (checked above), b < blocks_per_row = x's blocks (checked at dispatch).
            unsafe { acc = w.accumulate(acc, q, qb, b, &w.weight_vectors(qb), x) };
        }
        // SAFETY: as above.
        store(unsafe { w.finish(acc, q, x) }, q, &rows, out);
    }
}

/// Tokens per tile of the batched product.
const TILE_TOKENS: usize = 4;

/// Quad `q` × tokens `xs[..T]`, from its weight vectors `vectors` (one set per block): each
/// vector set is read once for the tile's tokens. Every accumulator sees the same operations in
/// the same order whatever `T`, so a tile gives `matvec`'s bits.
/// SAFETY: quad q exists; `xs` has at least T vectors of the matrix's cols.
#[inline(always)]
unsafe fn tile<W: Quads, const T: usize>(w: &W, vectors: &[[v128; VECTORS]], xs: &[Q8Vector], q: usize) -> [v128; T] {
    let bpr = w.blocks_per_row();
    let mut acc = [f32x4_splat(0.0); T];
    for (b, wv) in vectors.iter().enumerate() {
        for (k, acc) in acc.iter_mut().enumerate() {
            *acc = w.accumulate(*acc, q, q * bpr + b, b, wv, xs.get_unchecked(k));
        }
    }
    acc
}

/// Rows `rows` of the batched product, `out[t * rows.len() + i] = row (rows.start + i) · xs[t]`:
/// each quad's weight vectors are built once into a buffer, then read by every tile of tokens.
fn matmul<W: Quads>(w: &W, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    let n = rows.len();
    if xs.len() == 1 {
        return matvec(w, &xs[0], rows, out);
    }
    let bpr = w.blocks_per_row();
    let mut vectors = vec![[i32x4_splat(0); VECTORS]; bpr];
    for q in quads(w, &rows) {
        for (b, wv) in vectors.iter_mut().enumerate() {
            // SAFETY: quad q exists.
            *wv = unsafe { w.weight_vectors(q * bpr + b) };
        }
        let mut t = 0;
        while t < xs.len() {
            // SAFETY: quad q exists; tokens t.. hold at least the tile's count (cols checked at dispatch).
            if t + TILE_TOKENS <= xs.len() {
                let acc = unsafe { tile::<W, TILE_TOKENS>(w, &vectors, &xs[t..], q) };
                for (k, acc) in acc.into_iter().enumerate() {
                    let acc = unsafe { w.finish(acc, q, &xs[t + k]) };
                    store(acc, q, &rows, &mut out[(t + k) * n..(t + k + 1) * n]);
                }
                t += TILE_TOKENS;
            } else {
                let [acc] = unsafe { tile::<W, 1>(w, &vectors, &xs[t..], q) };
                store(unsafe { w.finish(acc, q, &xs[t]) }, q, &rows, &mut out[t * n..(t + 1) * n]);
                t += 1;
            }
        }
    }
}
