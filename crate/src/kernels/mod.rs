//! The LLM's numeric kernels. Each has a scalar reference (`scalar`) and a SIMD path:
//! `core::arch::wasm32` SIMD128 in the browser, AVX2 natively on x86-64 (runtime-detected).
//! The dispatching functions here are what the model calls.

pub mod check;
pub mod parallel;
#[cfg(any(not(target_arch = "wasm32"), feature = "threads"))]
mod team;
pub mod q4_k;
pub mod q4_k_quads;
pub mod q5_0;
pub mod q5_0_quads;
pub mod q6_k;
pub mod q6_k_quads;
pub mod quant;
pub mod scalar;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub mod wasm_simd;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
pub mod wasm_relaxed;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
mod wasm_relaxed_quads;
#[cfg(target_arch = "x86_64")]
pub mod x86;

pub use q4_k::Q4Matrix;
pub use q4_k_quads::Q4Quads;
pub use q5_0::Q5Matrix;
pub use q5_0_quads::Q5Quads;
pub use q6_k::Q6Matrix;
pub use q6_k_quads::Q6Quads;
pub use quant::{Q8Matrix, Q8Vector, BLOCK};
use std::ops::Range;

/// A weight matrix in one of the kernel layouts: Q5_0, Q4_K and Q6_K packed (unpacked in
/// registers), or expanded to one i8 per weight (`Q8Matrix`), as Q8_0 and float matrices
/// always are.
#[derive(Debug, Clone)]
pub enum Matrix {
    Expanded(Q8Matrix),
    Q5(Q5Matrix),
    /// Q5_0 with four rows interleaved per block: how relaxed-SIMD builds hold packed Q5_0.
    Q5Quads(Q5Quads),
    Q4(Q4Matrix),
    /// Q4_K with four rows interleaved per block: how relaxed-SIMD builds hold packed Q4_K.
    Q4Quads(Q4Quads),
    Q6(Q6Matrix),
    /// Q6_K with four rows interleaved per block: how relaxed-SIMD builds hold packed Q6_K.
    Q6Quads(Q6Quads),
}

impl Matrix {
    pub fn rows(&self) -> usize {
        match self {
            Matrix::Expanded(m) => m.rows,
            Matrix::Q5(m) => m.rows,
            Matrix::Q5Quads(m) => m.rows,
            Matrix::Q4(m) => m.rows,
            Matrix::Q4Quads(m) => m.rows,
            Matrix::Q6(m) => m.rows,
            Matrix::Q6Quads(m) => m.rows,
        }
    }

    pub fn cols(&self) -> usize {
        match self {
            Matrix::Expanded(m) => m.cols,
            Matrix::Q5(m) => m.cols,
            Matrix::Q5Quads(m) => m.cols,
            Matrix::Q4(m) => m.cols,
            Matrix::Q4Quads(m) => m.cols,
            Matrix::Q6(m) => m.cols,
            Matrix::Q6Quads(m) => m.cols,
        }
    }

    /// Bytes the matrix holds in memory.
    pub fn bytes(&self) -> usize {
        match self {
            Matrix::Expanded(m) => m.quants.len() + 4 * (m.scales.len() + m.mins.len()),
            Matrix::Q5(m) => m.bytes(),
            Matrix::Q5Quads(m) => m.bytes(),
            Matrix::Q4(m) => m.bytes(),
            Matrix::Q4Quads(m) => m.bytes(),
            Matrix::Q6(m) => m.bytes(),
            Matrix::Q6Quads(m) => m.bytes(),
        }
    }

    /// One row back to f32 (embedding lookup).
    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        match self {
            Matrix::Expanded(m) => m.dequantize_row(row, out),
            Matrix::Q5(m) => m.dequantize_row(row, out),
            Matrix::Q5Quads(m) => m.dequantize_row(row, out),
            Matrix::Q4(m) => m.dequantize_row(row, out),
            Matrix::Q4Quads(m) => m.dequantize_row(row, out),
            Matrix::Q6(m) => m.dequantize_row(row, out),
            Matrix::Q6Quads(m) => m.dequantize_row(row, out),
        }
    }
}

/// Batched product for any layout: `out[t * rows + r] = row r of w · xs[t]`, with the rows
/// split across the thread pool when the product is big enough to pay for it. Every row is
/// computed the same way whatever the split, so the result does not depend on the threads.
pub fn matmul(w: &Matrix, xs: &[Q8Vector], out: &mut [f32]) {
    let (rows, n) = (w.rows(), xs.len());
    debug_assert_eq!(out.len(), n * rows);
    let parts = parallel::row_parts(rows, w.cols() * n);
    if parts.len() <= 1 {
        return matmul_rows(w, xs, 0..rows, out);
    }
    if n == 1 {
        // One token: each part's rows are one contiguous run of `out`.
        let mut pieces = split_at_rows(out, &parts);
        parallel::for_each(&mut pieces, |i, piece| matmul_rows(w, xs, parts[i].clone(), piece));
        return;
    }
    // Several tokens: `out` is token-major, so each part fills its own buffer, copied back after.
    let mut pieces: Vec<Vec<f32>> = parts.iter().map(|p| vec![0f32; n * p.len()]).collect();
    parallel::for_each(&mut pieces, |i, piece| matmul_rows(w, xs, parts[i].clone(), piece));
    for (part, piece) in parts.iter().zip(&pieces) {
        for t in 0..n {
            out[t * rows + part.start..t * rows + part.end].copy_from_slice(&piece[t * part.len()..(t + 1) * part.len()]);
        }
    }
}

/// `matmul` for the rows in `runs` only (sorted, disjoint): the output head under a token
/// mask, whose banned tokens need no product. Rows go in whole groups of four from row 0, as
/// `matmul` takes them, so every row computed has `matmul`'s bits; a row in no run's group of
/// four is `f32::NEG_INFINITY`.
pub fn matmul_runs(w: &Matrix, xs: &[Q8Vector], runs: &[Range<usize>], out: &mut [f32]) {
    let (rows, n) = (w.rows(), xs.len());
    debug_assert_eq!(out.len(), n * rows);
    out.fill(f32::NEG_INFINITY);
    let runs = aligned_runs(runs, rows);
    let wanted: usize = runs.iter().map(|r| r.len()).sum();
    let parts = runs_in_parts(&runs, &parallel::row_parts(wanted, w.cols() * n));
    // Each part's results, run after run, each run token-major (as `matmul_rows` writes it).
    let mut pieces: Vec<Vec<f32>> = parts.iter().map(|p| vec![0f32; n * p.iter().map(|r| r.len()).sum::<usize>()]).collect();
    parallel::for_each(&mut pieces, |i, piece| {
        let mut at = 0;
        for run in &parts[i] {
            let size = n * run.len();
            matmul_rows(w, xs, run.clone(), &mut piece[at..at + size]);
            at += size;
        }
    });
    for (part, piece) in parts.iter().zip(&pieces) {
        let mut at = 0;
        for run in part {
            let len = run.len();
            for t in 0..n {
                out[t * rows + run.start..t * rows + run.end].copy_from_slice(&piece[at + t * len..at + (t + 1) * len]);
            }
            at += n * len;
        }
    }
}

/// `runs` cut to `rows`, widened to whole groups of four rows (the last group may be short) and
/// merged where they touch.
fn aligned_runs(runs: &[Range<usize>], rows: usize) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::with_capacity(runs.len());
    for run in runs.iter().filter(|r| r.start < r.end.min(rows)) {
        let start = run.start / 4 * 4;
        let end = run.end.min(rows).next_multiple_of(4).min(rows);
        match out.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => out.push(start..end),
        }
    }
    out
}

/// The rows of `runs` handed out to `parts`, which count wanted rows (`parallel::row_parts` of
/// their total): each part's share as row ranges.
fn runs_in_parts(runs: &[Range<usize>], parts: &[Range<usize>]) -> Vec<Vec<Range<usize>>> {
    let (mut i, mut done) = (0, 0);
    parts
        .iter()
        .map(|part| {
            let (mut need, mut mine) = (part.len(), Vec::new());
            while need > 0 {
                let run = &runs[i];
                let take = (run.len() - done).min(need);
                mine.push(run.start + done..run.start + done + take);
                (done, need) = (done + take, need - take);
                if done == run.len() {
                    (i, done) = (i + 1, 0);
                }
            }
            mine
        })
        .collect()
}

/// Tokens per pass over the rows: a long prompt's activations are taken in pieces small enough
/// to stay in the core's cache while every row passes over them (prefill@1024 +41–47 % in wasm).
const TOKENS_PER_PASS: usize = 64;

/// Rows `rows` of the batched product, `out[t * rows.len() + i] = row (rows.start + i) · xs[t]`.
pub fn matmul_rows(w: &Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    let n = rows.len();
    if n == 0 {
        return;
    }
    // `out` is token-major, so each pass's results are one contiguous run.
    for (xs, out) in xs.chunks(TOKENS_PER_PASS).zip(out.chunks_mut(TOKENS_PER_PASS * n)) {
        let rows = rows.clone();
        match w {
            Matrix::Expanded(m) => matmul_q8(m, xs, rows, out),
            Matrix::Q5(m) => matmul_q5(m, xs, rows, out),
            Matrix::Q5Quads(m) => matmul_q5_quads(m, xs, rows, out),
            Matrix::Q4(m) => matmul_q4(m, xs, rows, out),
            Matrix::Q4Quads(m) => matmul_q4_quads(m, xs, rows, out),
            Matrix::Q6(m) => matmul_q6(m, xs, rows, out),
            Matrix::Q6Quads(m) => matmul_q6_quads(m, xs, rows, out),
        }
    }
}

/// `out` cut into one slice per consecutive row range.
fn split_at_rows<'a>(mut out: &'a mut [f32], parts: &[Range<usize>]) -> Vec<&'a mut [f32]> {
    let mut pieces = Vec::with_capacity(parts.len());
    for part in parts {
        let (piece, rest) = std::mem::take(&mut out).split_at_mut(part.len());
        pieces.push(piece);
        out = rest;
    }
    pieces
}

/// `matvec_q8` for packed Q5_0.
pub fn matvec_q5(w: &Q5Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(w.cols, x.len());
    debug_assert_eq!(out.len(), rows.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed::matvec_q5(w, x, rows, out);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return wasm_simd::matvec_q5(w, x, rows, out);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::matvec_q5(w, x, rows, out) };
    }
    #[allow(unreachable_code)]
    scalar::matvec_q5(w, x, rows, out)
}

/// `matmul_q8` for packed Q5_0.
pub fn matmul_q5(w: &Q5Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(out.len(), xs.len() * rows.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed::matmul_q5(w, xs, rows, out);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return wasm_simd::matmul_q5(w, xs, rows, out);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::matmul_q5(w, xs, rows, out) };
    }
    #[allow(unreachable_code)]
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        scalar::matvec_q5(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

/// `matmul_q8` for row-quad Q5_0 (relaxed SIMD; elsewhere the scalar reference, for tests). One
/// token is the one-token product.
pub fn matmul_q5_quads(w: &Q5Quads, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(out.len(), xs.len() * rows.len());
    assert!(rows.end <= w.rows && xs.iter().all(|x| x.len() == w.cols), "a {}×{} product asked for rows {rows:?}", w.rows, w.cols);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed_quads::matmul_q5_quads(w, xs, rows, out);
    #[allow(unreachable_code)]
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        scalar::matvec_q5_quads(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

/// `matmul_q8` for row-quad Q6_K (relaxed SIMD; elsewhere the scalar reference, for tests). One
/// token is the one-token product.
pub fn matmul_q6_quads(w: &Q6Quads, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(out.len(), xs.len() * rows.len());
    assert!(rows.end <= w.rows && xs.iter().all(|x| x.len() == w.cols), "a {}×{} product asked for rows {rows:?}", w.rows, w.cols);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed_quads::matmul_q6_quads(w, xs, rows, out);
    #[allow(unreachable_code)]
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        scalar::matvec_q6_quads(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

/// `matmul_q8` for row-quad Q4_K (relaxed SIMD; elsewhere the scalar reference, for tests). One
/// token is the one-token product.
pub fn matmul_q4_quads(w: &Q4Quads, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(out.len(), xs.len() * rows.len());
    assert!(rows.end <= w.rows && xs.iter().all(|x| x.len() == w.cols), "a {}×{} product asked for rows {rows:?}", w.rows, w.cols);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed_quads::matmul_q4_quads(w, xs, rows, out);
    #[allow(unreachable_code)]
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        scalar::matvec_q4_quads(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

/// Which implementation the dispatchers use (printed by the bench, asserted in tests).
pub fn simd_path() -> &'static str {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return "wasm-relaxed-simd";
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return "wasm-simd128";
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        return "x86-avx2";
    }
    #[allow(unreachable_code)]
    "scalar"
}

/// `out[i] = row (rows.start + i) of w · x`, for the quantized layouts in `quant`.
pub fn matvec_q8(w: &Q8Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(w.cols, x.len());
    debug_assert_eq!(out.len(), rows.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed::matvec_q8(w, x, rows, out);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return wasm_simd::matvec_q8(w, x, rows, out);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::matvec_q8(w, x, rows, out) };
    }
    #[allow(unreachable_code)]
    scalar::matvec_q8(w, x, rows, out)
}

/// Batched product for prefill: `out[t * w.rows + r] = row r of w · xs[t]`.
/// Walks the weights once per group of tokens so each weight block is reused from cache.
pub fn matmul_q8(w: &Q8Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(out.len(), xs.len() * rows.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed::matmul_q8(w, xs, rows, out);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return wasm_simd::matmul_q8(w, xs, rows, out);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::matmul_q8(w, xs, rows, out) };
    }
    #[allow(unreachable_code)]
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        scalar::matvec_q8(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

/// `matvec_q8` for packed Q4_K.
pub fn matvec_q4(w: &Q4Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(w.cols, x.len());
    debug_assert_eq!(out.len(), rows.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed::matvec_q4(w, x, rows, out);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return wasm_simd::matvec_q4(w, x, rows, out);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::matvec_q4(w, x, rows, out) };
    }
    #[allow(unreachable_code)]
    scalar::matvec_q4(w, x, rows, out)
}

/// `matmul_q8` for packed Q4_K.
pub fn matmul_q4(w: &Q4Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(out.len(), xs.len() * rows.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed::matmul_q4(w, xs, rows, out);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return wasm_simd::matmul_q4(w, xs, rows, out);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::matmul_q4(w, xs, rows, out) };
    }
    #[allow(unreachable_code)]
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        scalar::matvec_q4(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

/// `matvec_q8` for packed Q6_K.
pub fn matvec_q6(w: &Q6Matrix, x: &Q8Vector, rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(w.cols, x.len());
    debug_assert_eq!(out.len(), rows.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed::matvec_q6(w, x, rows, out);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return wasm_simd::matvec_q6(w, x, rows, out);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::matvec_q6(w, x, rows, out) };
    }
    #[allow(unreachable_code)]
    scalar::matvec_q6(w, x, rows, out)
}

/// `matmul_q8` for packed Q6_K.
pub fn matmul_q6(w: &Q6Matrix, xs: &[Q8Vector], rows: Range<usize>, out: &mut [f32]) {
    debug_assert_eq!(out.len(), xs.len() * rows.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"))]
    return wasm_relaxed::matmul_q6(w, xs, rows, out);
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")))]
    return wasm_simd::matmul_q6(w, xs, rows, out);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::matmul_q6(w, xs, rows, out) };
    }
    #[allow(unreachable_code)]
    let n = rows.len();
    for (t, x) in xs.iter().enumerate() {
        scalar::matvec_q6(w, x, rows.clone(), &mut out[t * n..(t + 1) * n]);
    }
}

pub fn rms_norm(x: &[f32], weight: &[f32], eps: f32, out: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::rms_norm(x, weight, eps, out);
    #[allow(unreachable_code)]
    scalar::rms_norm(x, weight, eps, out)
}

pub fn softmax(x: &mut [f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::softmax(x);
    #[allow(unreachable_code)]
    scalar::softmax(x)
}

pub fn silu_mul(gate: &mut [f32], up: &[f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::silu_mul(gate, up);
    #[allow(unreachable_code)]
    scalar::silu_mul(gate, up)
}

pub fn rope(x: &mut [f32], head_dim: usize, cos: &[f32], sin: &[f32]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::rope(x, head_dim, cos, sin);
    #[allow(unreachable_code)]
    scalar::rope(x, head_dim, cos, sin)
}

/// One attention head's scores over the first `out.len()` positions (see
/// `scalar::attention_scores`). `keys` holds them all: checked here, once per head.
pub fn attention_scores(q: &[f32], keys: &[f32], stride: usize, scale: f32, out: &mut [f32]) {
    assert!(out.is_empty() || (q.len() <= stride && keys.len() >= (out.len() - 1) * stride + q.len()), "attention keys out of range");
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::attention_scores(q, keys, stride, scale, out);
    #[allow(unreachable_code)]
    for (p, score) in out.iter_mut().enumerate() {
        *score = dot(q, &keys[p * stride..][..q.len()]) * scale;
    }
}

/// One attention head's output from its softmax weights (see `scalar::attention_mix`).
pub fn attention_mix(weights: &[f32], values: &[f32], stride: usize, out: &mut [f32]) {
    assert!(weights.is_empty() || (out.len() <= stride && values.len() >= (weights.len() - 1) * stride + out.len()), "attention values out of range");
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::attention_mix(weights, values, stride, out);
    #[allow(unreachable_code)]
    {
        out.fill(0.0);
        for (p, &w) in weights.iter().enumerate() {
            axpy(out, w, &values[p * stride..][..out.len()]);
        }
    }
}

/// One 32-block of activations quantized by llama.cpp's Q8_0 rule (`quant::quantize_block`,
/// whose bits every variant gives).
pub fn quantize_block(x: &[f32]) -> (f32, [i16; quant::BLOCK]) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::quantize_block(x);
    #[allow(unreachable_code)]
    quant::quantize_block(x)
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::dot(a, b);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::dot(a, b) };
    }
    #[allow(unreachable_code)]
    scalar::dot(a, b)
}

pub fn axpy(acc: &mut [f32], alpha: f32, v: &[f32]) {
    debug_assert_eq!(acc.len(), v.len());
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    return wasm_simd::axpy(acc, alpha, v);
    #[cfg(target_arch = "x86_64")]
    if x86::available() {
        // SAFETY: AVX2 presence checked at run time.
        return unsafe { x86::axpy(acc, alpha, v) };
    }
    #[allow(unreachable_code)]
    scalar::axpy(acc, alpha, v)
}

#[cfg(test)]
mod tests;
