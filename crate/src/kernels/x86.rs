//! AVX2 + FMA kernels for native x86-64 runs (tests, CLI, the native column of the bench).

use super::quant::{Q8Matrix, Q8Vector, BLOCK};
use super::scalar::subtract_mins;
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

/// Adds one block's contribution to `acc`: with one scale per block (G16 = false) or one per
/// 16 values (G16 = true). `s` points at the block's first scale.
#[inline(always)]
unsafe fn accumulate<const G16: bool>(acc: __m256, w: (__m256i, __m256i), x: *const i16, s: *const f32, xs: f32) -> __m256 {
    let lo = _mm256_madd_epi16(w.0, _mm256_loadu_si256(x as *const __m256i));
    let hi = _mm256_madd_epi16(w.1, _mm256_loadu_si256(x.add(16) as *const __m256i));
    if G16 {
        let acc = _mm256_fmadd_ps(_mm256_set1_ps(*s * xs), _mm256_cvtepi32_ps(lo), acc);
        _mm256_fmadd_ps(_mm256_set1_ps(*s.add(1) * xs), _mm256_cvtepi32_ps(hi), acc)
    } else {
        _mm256_fmadd_ps(_mm256_set1_ps(*s * xs), _mm256_cvtepi32_ps(_mm256_add_epi32(lo, hi)), acc)
    }
}

#[inline(always)]
unsafe fn hsum(v: __m256) -> f32 {
    let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
    let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    let s = _mm_add_ss(s, _mm_shuffle_ps::<0b01>(s, s));
    _mm_cvtss_f32(s)
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matvec_q8(w: &Q8Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    if w.group == 16 {
        matvec::<true>(w, x, rows.clone(), out)
    } else {
        matvec::<false>(w, x, rows.clone(), out)
    }
    subtract_mins(w, x, rows, out);
}

#[target_feature(enable = "avx2,fma")]
unsafe fn matvec<const G16: bool>(w: &Q8Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    let spb = BLOCK / w.group;
    for (o, r) in out.iter_mut().zip(rows) {
        let mut acc = _mm256_setzero_ps();
        for b in 0..bpr {
            let idx = r * bpr + b;
            let wv = widen(w.quants.as_ptr().add(idx * BLOCK));
            acc = accumulate::<G16>(acc, wv, x.quants.as_ptr().add(b * BLOCK), w.scales.as_ptr().add(idx * spb), x.scales[b]);
        }
        *o = hsum(acc);
    }
}

#[target_feature(enable = "avx2,fma")]
pub unsafe fn matmul_q8(w: &Q8Matrix, xs: &[Q8Vector], out: &mut [f32]) {
    if w.group == 16 {
        matmul::<true>(w, xs, out)
    } else {
        matmul::<false>(w, xs, out)
    }
    for (t, x) in xs.iter().enumerate() {
        subtract_mins(w, x, 0..w.rows, &mut out[t * w.rows..(t + 1) * w.rows]);
    }
}

#[target_feature(enable = "avx2,fma")]
unsafe fn matmul<const G16: bool>(w: &Q8Matrix, xs: &[Q8Vector], out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    let spb = BLOCK / w.group;
    let rows = w.rows;
    // Tokens in groups of 4: each weight block is sign-extended once and used four times.
    const T: usize = 4;
    for r in 0..rows {
        let mut t = 0;
        while t + T <= xs.len() {
            let mut acc = [_mm256_setzero_ps(); T];
            for b in 0..bpr {
                let idx = r * bpr + b;
                let wv = widen(w.quants.as_ptr().add(idx * BLOCK));
                let s = w.scales.as_ptr().add(idx * spb);
                for k in 0..T {
                    let x = &xs[t + k];
                    acc[k] = accumulate::<G16>(acc[k], wv, x.quants.as_ptr().add(b * BLOCK), s, x.scales[b]);
                }
            }
            for k in 0..T {
                out[(t + k) * rows + r] = hsum(acc[k]);
            }
            t += T;
        }
        for (k, x) in xs.iter().enumerate().skip(t) {
            matvec::<G16>(w, x, r..r + 1, &mut out[k * rows + r..k * rows + r + 1]);
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
