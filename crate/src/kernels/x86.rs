//! AVX2 + FMA kernels for native x86-64 runs (tests, CLI, the native column of the bench).

use super::q4_k::Q4Matrix;
use super::q5_0::{fifths_at, Q5Matrix};
use super::q6_k::{block_at, Q6Matrix};
use super::quant::{Q8Matrix, Q8Vector, BLOCK};
use super::scalar::{subtract_block_mins, subtract_mins};
use std::arch::x86_64::*;
use std::ops::Range;
use std::sync::OnceLock;

pub fn available() -> bool {
    static AVX2: OnceLock<bool> = OnceLock::new();
    *AVX2.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
}

/// Sign-extends one 32-block of i8 weights to two i16x16 halves.
#[inline(always)]
unsafe fn widen(w: *const i8) -> (__m256i, __m256i) {
    let wq = _mm256_loadu_si256(w as *const __m256i);
    (_mm256_cvtepi8_epi16(_mm256_castsi256_si128(wq)), _mm256_cvtepi8_epi16(_mm256_extracti128_si256::<1>(wq)))
}

/// Adds one block's contribution to `acc`, with one scale per block or one per 16 values
/// (`g16`, a constant in every caller). `s` holds the block's scale (or its two halves').
#[inline(always)]
unsafe fn accumulate(g16: bool, acc: __m256, w: (__m256i, __m256i), x: *const i16, s: [f32; 2], xs: f32) -> __m256 {
    let lo = _mm256_madd_epi16(w.0, _mm256_loadu_si256(x as *const __m256i));
    let hi = _mm256_madd_epi16(w.1, _mm256_loadu_si256(x.add(16) as *const __m256i));
    if g16 {
        let acc = _mm256_fmadd_ps(_mm256_set1_ps(s[0] * xs), _mm256_cvtepi32_ps(lo), acc);
        _mm256_fmadd_ps(_mm256_set1_ps(s[1] * xs), _mm256_cvtepi32_ps(hi), acc)
    } else {
        _mm256_fmadd_ps(_mm256_set1_ps(s[0] * xs), _mm256_cvtepi32_ps(_mm256_add_epi32(lo, hi)), acc)
    }
}

#[inline(always)]
unsafe fn hsum(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_shuffle_ps::<0b01>(s, s));
    _mm_cvtss_f32(s)
}

/// A weight layout as the kernels see it (see wasm_simd.rs): block `idx` as two i16x16
/// halves, and its scale (or, with `G16`, its two halves').
trait Blocks {
    const G16: bool;
    fn blocks_per_row(&self) -> usize;
    /// SAFETY: `idx` < rows × blocks_per_row, AVX2 present.
    unsafe fn block(&self, idx: usize) -> (__m256i, __m256i);
    unsafe fn scales(&self, idx: usize) -> [f32; 2];
}

struct Expanded<'a, const G16: bool>(&'a Q8Matrix);

impl<const G: bool> Blocks for Expanded<'_, G> {
    const G16: bool = G;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> (__m256i, __m256i) {
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

/// Packed Q5_0 unpacked in registers: nibbles for the low bits; the fifth bits' plane (see
/// q5_0.rs) in both 128-bit lanes, shifted per lane so each byte's bit lands in its sign bit,
/// which picks `nibble` (set) or `nibble | 0xF0` (clear, i.e. nibble − 16).
struct PackedQ5<'a>(&'a Q5Matrix);

/// Per block phase j: left shifts that move bit 4 + j (low half) and bit j (high half) to bit 7.
static Q5_SIGN_SHIFTS: [[i32; 8]; 4] = {
    let mut t = [[0; 8]; 4];
    let mut j = 0;
    while j < 4 {
        t[j] = [3 - j as i32, 3 - j as i32, 3 - j as i32, 3 - j as i32, 7 - j as i32, 7 - j as i32, 7 - j as i32, 7 - j as i32];
        j += 1;
    }
    t
};

impl Blocks for PackedQ5<'_> {
    const G16: bool = false;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> (__m256i, __m256i) {
        let n = _mm_loadu_si128(self.0.nibbles.as_ptr().add(idx * 16) as *const __m128i);
        let low4 = _mm_set1_epi8(0x0F);
        let nibbles = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16::<4>(n), low4), _mm_and_si128(n, low4));
        let (at, j) = fifths_at(idx);
        let plane = _mm256_broadcastsi128_si256(_mm_loadu_si128(self.0.fifths.as_ptr().add(at) as *const __m128i));
        let shifts = _mm256_loadu_si256(Q5_SIGN_SHIFTS.get_unchecked(j as usize).as_ptr() as *const __m256i);
        let signs = _mm256_sllv_epi32(plane, shifts);
        let q = _mm256_blendv_epi8(_mm256_or_si256(nibbles, _mm256_set1_epi8(0xF0u8 as i8)), nibbles, signs);
        (_mm256_cvtepi8_epi16(_mm256_castsi256_si128(q)), _mm256_cvtepi8_epi16(_mm256_extracti128_si256::<1>(q)))
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
    unsafe fn block(&self, idx: usize) -> (__m256i, __m256i) {
        let n = _mm_loadu_si128(self.0.nibbles.as_ptr().add(idx * 16) as *const __m128i);
        let low4 = _mm_set1_epi8(0x0F);
        (_mm256_cvtepu8_epi16(_mm_and_si128(n, low4)), _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16::<4>(n), low4)))
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        [*self.0.scales.get_unchecked(idx), 0.0]
    }
}

/// Packed Q6_K (GGUF's bit layout, see q6_k.rs) as q − 32: one 32-byte load of `ql` shifted
/// to its nibble, one of `qh` shifted to its crumb; 16-bit shifts, masked per byte after.
struct PackedQ6<'a>(&'a Q6Matrix);

impl Blocks for PackedQ6<'_> {
    const G16: bool = true;
    fn blocks_per_row(&self) -> usize {
        self.0.blocks_per_row()
    }
    #[inline(always)]
    unsafe fn block(&self, idx: usize) -> (__m256i, __m256i) {
        let (l, nibble_shift, h, crumb_shift) = block_at(idx);
        let low = _mm256_loadu_si256(self.0.ql.as_ptr().add(l) as *const __m256i);
        let high = _mm256_loadu_si256(self.0.qh.as_ptr().add(h) as *const __m256i);
        let nibbles = _mm256_and_si256(_mm256_srl_epi16(low, _mm_cvtsi32_si128(nibble_shift as i32)), _mm256_set1_epi8(0x0F));
        let crumbs = _mm256_slli_epi16::<4>(_mm256_srl_epi16(high, _mm_cvtsi32_si128(crumb_shift as i32)));
        let q = _mm256_or_si256(nibbles, _mm256_and_si256(crumbs, _mm256_set1_epi8(0x30)));
        let q = _mm256_sub_epi8(q, _mm256_set1_epi8(32));
        (_mm256_cvtepi8_epi16(_mm256_castsi256_si128(q)), _mm256_cvtepi8_epi16(_mm256_extracti128_si256::<1>(q)))
    }
    #[inline(always)]
    unsafe fn scales(&self, idx: usize) -> [f32; 2] {
        self.0.scales(idx)
    }
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matvec_q8(w: &Q8Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    if w.group == 16 {
        matvec(&Expanded::<true>(w), x, rows.clone(), out)
    } else {
        matvec(&Expanded::<false>(w), x, rows.clone(), out)
    }
    subtract_mins(w, x, rows, out);
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matvec_q5(w: &Q5Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ5(w), x, rows, out)
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matvec_q4(w: &Q4Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ4(w), x, rows.clone(), out);
    subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows, out);
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matvec_q6(w: &Q6Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    matvec(&PackedQ6(w), x, rows, out)
}

#[target_feature(enable = "avx2,fma")]
unsafe fn matvec<B: Blocks>(w: &B, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    for (o, r) in out.iter_mut().zip(rows) {
        let mut acc = _mm256_setzero_ps();
        for b in 0..bpr {
            let idx = r * bpr + b;
            acc = accumulate(B::G16, acc, w.block(idx), x.quants.as_ptr().add(b * BLOCK), w.scales(idx), x.scales[b]);
        }
        *o = hsum(acc);
    }
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matmul_q8(w: &Q8Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
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

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matmul_q5(w: &Q5Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ5(w), xs, rows, out)
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matmul_q4(w: &Q4Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ4(w), xs, rows.clone(), out);
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matmul_q6(w: &Q6Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    matmul(&PackedQ6(w), xs, rows, out)
}

/// Rows `rows` of the batched product, `out[t * rows.len() + i] = row (rows.start + i) · xs[t]`.
#[target_feature(enable = "avx2,fma")]
unsafe fn matmul<B: Blocks>(w: &B, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    // out holds rows.len() results per token.
    let (start, n) = (rows.start, rows.len());
    // Tokens in groups of 4: each weight block is unpacked once and used four times.
    const T: usize = 4;
    for r in rows {
        let mut t = 0;
        while t + T <= xs.len() {
            let mut acc = [_mm256_setzero_ps(); T];
            for b in 0..bpr {
                let idx = r * bpr + b;
                let wv = w.block(idx);
                let s = w.scales(idx);
                for k in 0..T {
                    let x = &xs[t + k];
                    acc[k] = accumulate(B::G16, acc[k], wv, x.quants.as_ptr().add(b * BLOCK), s, x.scales[b]);
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

#[target_feature(enable = "avx2,fma")]
pub unsafe fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let mut acc = _mm256_setzero_ps();
    let mut i = 0;
    while i + 8 <= n {
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a.as_ptr().add(i)), _mm256_loadu_ps(b.as_ptr().add(i)), acc);
        i += 8;
    }
    let mut s = hsum(acc);
    while i < n {
        s += a[i] * b[i];
        i += 1;
    }
    s
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn axpy(acc: &mut [f32], alpha: f32, v: &[f32]) {
    let n = acc.len().min(v.len());
    let a = _mm256_set1_ps(alpha);
    let mut i = 0;
    while i + 8 <= n {
        let p = acc.as_mut_ptr().add(i);
        _mm256_storeu_ps(p, _mm256_fmadd_ps(a, _mm256_loadu_ps(v.as_ptr().add(i)), _mm256_loadu_ps(p)));
        i += 8;
    }
    while i < n {
        acc[i] += alpha * v[i];
        i += 1;
    }
}
