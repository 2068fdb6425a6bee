//! Property checks: every dispatched (SIMD) kernel against the scalar reference on random
//! shapes, odd sizes included. Compiled into the library (not only tests) so the browser test
//! can run the very same checks inside the shipped wasm module (`kernelSelfTest()`).

use super::{q6_k::BLOCKS_PER_SUPER, quant::BLOCK, scalar, Matrix, Q4Matrix, Q4Quads, Q5Matrix, Q5Quads, Q6Matrix, Q6Quads, Q8Matrix, Q8Vector};
use std::ops::Range;
pub use crate::rng::Rng;

fn close(what: &str, got: &[f32], want: &[f32], rel: f32) -> Result<(), String> {
    let scale = want.iter().fold(1e-6f32, |m, v| m.max(v.abs()));
    close_at(what, got, want, rel, scale)
}

/// Like `close`, with the tolerance relative to `scale` (for sums with cancellation, the
/// sum of the terms' magnitudes).
fn close_at(what: &str, got: &[f32], want: &[f32], rel: f32, scale: f32) -> Result<(), String> {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        if (g - w).abs() > rel * scale {
            return Err(format!("{what}: element {i} is {g}, scalar says {w} (scale {scale})"));
        }
    }
    if got.len() != want.len() {
        return Err(format!("{what}: length {} vs {}", got.len(), want.len()));
    }
    Ok(())
}

/// A random matrix in one of the expanded layouts the model uses: 0 = one scale per 32 values
/// over all of i8 (Q8_0), 1 = one per 16 (Q6_K), 2 = per 32 with mins (Q4_K), 3 = per 32 in
/// −16..=15 (Q5_0). Each carries its format's `unsigned_shift`, as the loader sets it.
pub fn random_matrix(rng: &mut Rng, rows: usize, cols: usize, layout: usize) -> Q8Matrix {
    let mut w = Q8Matrix::from_f32(&rng.vec(rows * cols, 1.0), rows, cols);
    if layout == 1 {
        w.group = 16;
        w.quants.iter_mut().for_each(|q| *q = (*q as i32 / 4).clamp(-32, 31) as i8);
        w.scales = rng.vec(rows * cols / 16, 0.05);
        w.unsigned_shift = Some(32);
    } else if layout == 2 {
        w.quants.iter_mut().for_each(|q| *q = (*q as i32).rem_euclid(16) as i8);
        w.mins = rng.vec(rows * cols / BLOCK, 0.1);
        w.unsigned_shift = Some(0);
    } else if layout == 3 {
        w.quants.iter_mut().for_each(|q| *q = (*q as i32 / 8).clamp(-16, 15) as i8);
        w.unsigned_shift = Some(16);
    }
    w
}

/// A random packed Q6_K matrix: values 0..=63, int8 scales over their whole range, small `d`s.
pub fn random_q6(rng: &mut Rng, rows: usize, cols: usize) -> Q6Matrix {
    let blocks = rows * cols / BLOCK;
    let values: Vec<u8> = (0..rows * cols).map(|_| rng.below(64) as u8).collect();
    let sub_scales: Vec<i8> = (0..2 * blocks).map(|_| (rng.below(256) as i32 - 128) as i8).collect();
    let d = rng.vec(blocks.div_ceil(BLOCKS_PER_SUPER), 0.001);
    Q6Matrix::from_values(&values, sub_scales, d, rows, cols)
}

/// Largest Σ|terms| of any row · token product: the scale float rounding is relative to.
fn matvec_magnitude(w: &Q8Matrix, xs: &[Q8Vector]) -> f32 {
    let mut abs_w = w.clone();
    abs_w.quants.iter_mut().for_each(|q| *q = q.saturating_abs());
    abs_w.scales.iter_mut().for_each(|s| *s = s.abs());
    abs_w.mins.clear();
    let mut out = vec![0.0; w.rows];
    let mut max = 1e-6f32;
    for x in xs {
        let mut abs_x = x.clone();
        abs_x.quants.iter_mut().for_each(|q| *q = q.abs());
        abs_x.scales.iter_mut().for_each(|s| *s = s.abs());
        scalar::matvec_q8(&abs_w, &abs_x, 0..w.rows, &mut out);
        let mins: f32 = w.mins.iter().map(|m| m.abs()).sum::<f32>() * x.sums.iter().fold(0f32, |m, s| m.max(s.abs()));
        max = out.iter().fold(max, |m, v| m.max(v + mins));
    }
    max
}

/// A packed layout's dispatched matvec (on `rows`) against the scalar product of its expanded
/// form, and its dispatched matmul against its own scalar rows.
#[allow(clippy::too_many_arguments)]
fn check_packed(
    name: &str,
    shape: &str,
    expanded: &Q8Matrix,
    xs: &[Q8Vector],
    rows: Range<usize>,
    matvec: impl Fn(&Q8Vector, Range<usize>, &mut [f32]),
    matmul: impl Fn(&mut [f32]),
    scalar_rows: impl Fn(&Q8Vector, Range<usize>, &mut [f32]),
) -> Result<(), String> {
    let magnitude = matvec_magnitude(expanded, xs);
    let (mut got, mut want) = (vec![0.0; rows.len()], vec![0.0; rows.len()]);
    matvec(&xs[0], rows.clone(), &mut got);
    scalar::matvec_q8(expanded, &xs[0], rows.clone(), &mut want);
    close_at(&format!("matvec_{name} {shape}, rows {}..{}", rows.start, rows.end), &got, &want, 1e-5, magnitude)?;
    let n = expanded.rows;
    let (mut got, mut want) = (vec![0.0; xs.len() * n], vec![0.0; xs.len() * n]);
    matmul(&mut got);
    for (t, x) in xs.iter().enumerate() {
        scalar_rows(x, 0..n, &mut want[t * n..(t + 1) * n]);
    }
    close_at(&format!("matmul_{name} {shape}"), &got, &want, 1e-5, magnitude)
}

/// A row-quad layout has the scalar one-row product's very bits: its dispatched product for one
/// token on `rows` and for all tokens over all `n` rows, against `scalar_rows` (the one-row
/// reference).
fn check_quad_bits(
    name: &str,
    shape: &str,
    xs: &[Q8Vector],
    rows: Range<usize>,
    n: usize,
    matvec: impl Fn(&Q8Vector, Range<usize>, &mut [f32]),
    matmul: impl Fn(&mut [f32]),
    scalar_rows: impl Fn(&Q8Vector, Range<usize>, &mut [f32]),
) -> Result<(), String> {
    let bits = |what: &str, got: &[f32], want: &[f32]| match got.iter().zip(want).position(|(a, b)| a.to_bits() != b.to_bits()) {
        Some(i) => Err(format!("{what} {shape}: element {i} is {}, the scalar product says {}", got[i], want[i])),
        None => Ok(()),
    };
    let (mut got, mut want) = (vec![0.0; rows.len()], vec![0.0; rows.len()]);
    matvec(&xs[0], rows.clone(), &mut got);
    scalar_rows(&xs[0], rows.clone(), &mut want);
    bits(&format!("matvec_{name} rows {}..{}", rows.start, rows.end), &got, &want)?;
    let (mut got, mut want) = (vec![0.0; xs.len() * n], vec![0.0; xs.len() * n]);
    matmul(&mut got);
    for (t, x) in xs.iter().enumerate() {
        scalar_rows(x, 0..n, &mut want[t * n..(t + 1) * n]);
    }
    bits(&format!("matmul_{name}"), &got, &want)
}

/// Row-quad Q6_K likewise, on a random matrix of whole super-blocks (as every Q6_K row is).
fn check_q6_quads(rng: &mut Rng, rows: usize, sub: Range<usize>, shape: &str) -> Result<(), String> {
    let cols = 256 * (1 + rng.below(2));
    let q6 = random_q6(rng, rows, cols);
    let quads = Q6Quads::from_q6(&q6);
    let xs: Vec<Q8Vector> = (0..1 + rng.below(9)).map(|_| Q8Vector::from_f32(&rng.vec(cols, 3.0))).collect();
    let shape = format!("{shape} (Q6_K quads: {cols} cols, {} tokens)", xs.len());
    check_quad_bits("q6_quads", &shape, &xs, sub, rows, |x, r, o| super::matmul_q6_quads(&quads, std::slice::from_ref(x), r, o), |o| super::matmul_q6_quads(&quads, &xs, 0..rows, o), |x, r, o| scalar::matvec_q6(&q6, x, r, o))
}

/// Runs `cases` random cases of every kernel; Err names the first mismatch and its shape.
pub fn simd_matches_scalar(seed: u64, cases: usize) -> Result<(), String> {
    let mut rng = Rng::new(seed);
    for case in 0..cases {
        let rows = 1 + rng.below(37);
        let cols = BLOCK * (1 + rng.below(9));
        let tokens = 1 + rng.below(11);
        let w = random_matrix(&mut rng, rows, cols, case % 4);
        let xs: Vec<Q8Vector> = (0..tokens).map(|_| Q8Vector::from_f32(&rng.vec(cols, 3.0))).collect();
        let shape = format!("case {case}: {rows}×{cols}, {tokens} tokens");

        // matvec on a sub-range of rows (odd starts and lengths).
        let start = rng.below(rows);
        let end = start + 1 + rng.below(rows - start);
        let mut got = vec![0.0; end - start];
        let mut want = vec![0.0; end - start];
        super::matvec_q8(&w, &xs[0], start..end, &mut got);
        scalar::matvec_q8(&w, &xs[0], start..end, &mut want);
        let magnitude = matvec_magnitude(&w, &xs);
        close_at(&format!("matvec_q8 {shape}, rows {start}..{end}"), &got, &want, 1e-5, magnitude)?;

        // matmul on the same sub-range (what one thread of a split computes).
        let len = end - start;
        let mut got = vec![0.0; tokens * len];
        let mut want = vec![0.0; tokens * len];
        super::matmul_q8(&w, &xs, start..end, &mut got);
        for (t, x) in xs.iter().enumerate() {
            scalar::matvec_q8(&w, x, start..end, &mut want[t * len..(t + 1) * len]);
        }
        close_at(&format!("matmul_q8 {shape}, rows {start}..{end}"), &got, &want, 1e-5, magnitude)?;

        // Packed Q5_0 and Q4_K (unsigned, with mins): against the expanded layout's scalar product.
        let values: Vec<i8> = (0..rows * cols).map(|_| (rng.below(32) as i32 - 16) as i8).collect();
        let q5 = Q5Matrix::from_values(&values, rng.vec(rows * cols / BLOCK, 0.05), rows, cols);
        let rows_range = start..end;
        check_packed("q5", &shape, &q5.to_q8(), &xs, rows_range.clone(), |x, r, o| super::matvec_q5(&q5, x, r, o), |o| super::matmul_q5(&q5, &xs, 0..q5.rows, o), |x, r, o| scalar::matvec_q5(&q5, x, r, o))?;
        let q5_quads = Q5Quads::from_q5(&q5);
        check_quad_bits("q5_quads", &shape, &xs, start..end, rows, |x, r, o| super::matmul_q5_quads(&q5_quads, std::slice::from_ref(x), r, o), |o| super::matmul_q5_quads(&q5_quads, &xs, 0..rows, o), |x, r, o| scalar::matvec_q5(&q5, x, r, o))?;
        let values: Vec<i8> = (0..rows * cols).map(|_| rng.below(16) as i8).collect();
        let blocks = rows * cols / BLOCK;
        let q4 = Q4Matrix::from_values(&values, rng.vec(blocks, 0.05), rng.vec(blocks, 0.1), rows, cols);
        check_packed("q4", &shape, &q4.to_q8(), &xs, rows_range.clone(), |x, r, o| super::matvec_q4(&q4, x, r, o), |o| super::matmul_q4(&q4, &xs, 0..q4.rows, o), |x, r, o| scalar::matvec_q4(&q4, x, r, o))?;
        let q4_quads = Q4Quads::from_q4(&q4);
        check_quad_bits("q4_quads", &shape, &xs, start..end, rows, |x, r, o| super::matmul_q4_quads(&q4_quads, std::slice::from_ref(x), r, o), |o| super::matmul_q4_quads(&q4_quads, &xs, 0..rows, o), |x, r, o| scalar::matvec_q4(&q4, x, r, o))?;
        let q6 = random_q6(&mut rng, rows, cols);
        check_q6_quads(&mut rng, rows, rows_range.clone(), &shape)?;
        check_packed("q6", &shape, &q6.to_q8(), &xs, rows_range, |x, r, o| super::matvec_q6(&q6, x, r, o), |o| super::matmul_q6(&q6, &xs, 0..q6.rows, o), |x, r, o| scalar::matvec_q6(&q6, x, r, o))?;

        check_quantize(&mut rng, case)?;

        let n = 1 + rng.below(300);
        let a = rng.vec(n, 4.0);
        let b = rng.vec(n, 4.0);
        let magnitude: f32 = a.iter().zip(&b).map(|(x, y)| (x * y).abs()).sum();
        close_at(&format!("dot n={n}"), &[super::dot(&a, &b)], &[scalar::dot(&a, &b)], 1e-6, magnitude)?;

        // One head of a KV cache: `positions` rows of `hd` floats, `stride` apart.
        let hd = [64, 128, 36, 7][rng.below(4)];
        let stride = hd * (1 + rng.below(3));
        let positions = 1 + rng.below(40);
        let cache = rng.vec(positions * stride, 2.0);
        let q = rng.vec(hd, 2.0);
        let (mut got, mut want) = (vec![0.0; positions], vec![0.0; positions]);
        super::attention_scores(&q, &cache, stride, 0.125, &mut got);
        scalar::attention_scores(&q, &cache, stride, 0.125, &mut want);
        close_at(&format!("attention_scores hd={hd} positions={positions}"), &got, &want, 1e-6, 0.125 * 4.0 * hd as f32)?;
        let weights = rng.vec(positions, 1.0);
        let (mut got, mut want) = (vec![1.0; hd], vec![1.0; hd]);
        super::attention_mix(&weights, &cache, stride, &mut got);
        scalar::attention_mix(&weights, &cache, stride, &mut want);
        close(&format!("attention_mix hd={hd} positions={positions}"), &got, &want, 1e-6)?;

        let alpha = rng.f32(2.0);
        let (mut got, mut want) = (a.clone(), a.clone());
        super::axpy(&mut got, alpha, &b);
        scalar::axpy(&mut want, alpha, &b);
        close(&format!("axpy n={n}"), &got, &want, 1e-6)?;

        let weight = rng.vec(n, 1.5);
        let (mut got, mut want) = (vec![0.0; n], vec![0.0; n]);
        super::rms_norm(&a, &weight, 1e-6, &mut got);
        scalar::rms_norm(&a, &weight, 1e-6, &mut want);
        close(&format!("rms_norm n={n}"), &got, &want, 1e-5)?;

        let logits = rng.vec(n, 30.0);
        let (mut got, mut want) = (logits.clone(), logits.clone());
        super::softmax(&mut got);
        scalar::softmax(&mut want);
        close(&format!("softmax n={n}"), &got, &want, 1e-5)?;

        let gate = rng.vec(n, 12.0);
        let (mut got, mut want) = (gate.clone(), gate.clone());
        super::silu_mul(&mut got, &b);
        scalar::silu_mul(&mut want, &b);
        close(&format!("silu_mul n={n}"), &got, &want, 1e-5)?;

        let head_dim = 2 * (1 + rng.below(40));
        let heads = 1 + rng.below(4);
        let x = rng.vec(heads * head_dim, 2.0);
        let angles: Vec<f32> = (0..head_dim / 2).map(|_| rng.f32(3.0)).collect();
        let cos: Vec<f32> = angles.iter().map(|a| a.cos()).collect();
        let sin: Vec<f32> = angles.iter().map(|a| a.sin()).collect();
        let (mut got, mut want) = (x.clone(), x);
        super::rope(&mut got, head_dim, &cos, &sin);
        scalar::rope(&mut want, head_dim, &cos, &sin);
        close(&format!("rope head_dim={head_dim}"), &got, &want, 1e-6)?;
    }
    Ok(())
}

/// The dispatched activation quantizer against the scalar rule, bit for bit: a random block,
/// and (first case) blocks whose products land on halves, zeros, ±0.0, NaN and infinities.
fn check_quantize(rng: &mut Rng, case: usize) -> Result<(), String> {
    let mut blocks = vec![rng.vec(BLOCK, 3.0)];
    if case == 0 {
        // amax 127 → d = 1, so the products are the values; every other one is a half (k + 0.5).
        blocks.push((0..BLOCK).map(|i| if i == 0 { 127.0 } else { (i as f32 - 16.0) * 3.5 + 0.5 }).collect());
        blocks.push(vec![0.0; BLOCK]);
        blocks.push((0..BLOCK).map(|i| if i % 2 == 0 { -0.0 } else { 1e-30 }).collect());
        blocks.push((0..BLOCK).map(|i| if i == 3 { f32::NAN } else { i as f32 }).collect());
        blocks.push((0..BLOCK).map(|i| if i == 5 { f32::NEG_INFINITY } else { i as f32 }).collect());
    }
    for block in &blocks {
        let (got, want) = (super::quantize_block(block), super::quant::quantize_block(block));
        if got.0.to_bits() != want.0.to_bits() || got.1 != want.1 {
            return Err(format!("quantize_block {block:?}: {got:?}, scalar says {want:?}"));
        }
    }
    Ok(())
}

/// The thread-pool product (`matmul`, rows split across threads when the product is big
/// enough) gives exactly the bits of one thread computing every row, in each layout, for one
/// token (decode) and several (prefill). Returns how many parts the largest product was cut
/// into, so a caller can tell whether a split happened at all.
pub fn split_matches_one_thread(seed: u64) -> Result<usize, String> {
    let mut rng = Rng::new(seed);
    let mut most_parts = 1;
    for (case, (rows, cols)) in [(1030, 8 * BLOCK), (517, 32 * BLOCK), (4, 8 * BLOCK)].into_iter().enumerate() {
        let expanded = random_matrix(&mut rng, rows, cols, case % 3);
        let values: Vec<i8> = (0..rows * cols).map(|_| (rng.below(32) as i32 - 16) as i8).collect();
        let q5 = Q5Matrix::from_values(&values, rng.vec(rows * cols / BLOCK, 0.05), rows, cols);
        let quads = Q5Quads::from_q5(&q5);
        let values: Vec<i8> = (0..rows * cols).map(|_| rng.below(16) as i8).collect();
        let blocks = rows * cols / BLOCK;
        let q4 = Q4Matrix::from_values(&values, rng.vec(blocks, 0.05), rng.vec(blocks, 0.1), rows, cols);
        let q6 = random_q6(&mut rng, rows, cols);
        let q6_quads = Q6Quads::from_q6(&q6);
        let q4_quads = Q4Quads::from_q4(&q4);
        for w in [Matrix::Expanded(expanded), Matrix::Q5(q5), Matrix::Q5Quads(quads), Matrix::Q4(q4), Matrix::Q4Quads(q4_quads), Matrix::Q6(q6), Matrix::Q6Quads(q6_quads)] {
            // 70 tokens: a part takes them in two passes (`TOKENS_PER_PASS`).
            for tokens in [1, 6, 70] {
                let xs: Vec<Q8Vector> = (0..tokens).map(|_| Q8Vector::from_f32(&rng.vec(cols, 3.0))).collect();
                let (mut split, mut whole) = (vec![0.0; tokens * rows], vec![0.0; tokens * rows]);
                super::matmul(&w, &xs, &mut split);
                super::matmul_rows(&w, &xs, 0..rows, &mut whole);
                if split != whole {
                    let at = split.iter().zip(&whole).position(|(a, b)| a.to_bits() != b.to_bits()).unwrap_or(0);
                    return Err(format!("split matmul {rows}×{cols}, {tokens} tokens: element {at} is {} on threads, {} on one", split[at], whole[at]));
                }
                check_runs(&w, &xs, &whole, &mut rng)?;
                most_parts = most_parts.max(super::parallel::row_parts(rows, cols * tokens).len());
            }
        }
    }
    Ok(most_parts)
}

/// `matmul_runs` over random runs (any boundaries, some a single row) against `whole`, every
/// row's product: a row in a run's group of four has the same bits, any other is −∞.
fn check_runs(w: &Matrix, xs: &[Q8Vector], whole: &[f32], rng: &mut Rng) -> Result<(), String> {
    let rows = w.rows();
    let mut runs = Vec::new();
    let mut at = rng.below(9);
    while at < rows {
        let len = [1, 3, 5, 17, 64][rng.below(5)].min(rows - at);
        runs.push(at..at + len);
        at += len + 1 + rng.below(40);
    }
    let mut got = vec![0.0; whole.len()];
    super::matmul_runs(w, xs, &runs, &mut got);
    let grouped = |r: usize| runs.iter().any(|run| run.start / 4 * 4 <= r && r < run.end.next_multiple_of(4));
    for (i, (g, want)) in got.iter().zip(whole).enumerate() {
        let r = i % rows;
        let ok = if grouped(r) { g.to_bits() == want.to_bits() } else { *g == f32::NEG_INFINITY };
        if !ok {
            return Err(format!("matmul_runs {rows}×{}, {} tokens: row {r} of token {} is {g}, expected {}", w.cols(), xs.len(), i / rows, if grouped(r) { *want } else { f32::NEG_INFINITY }));
        }
    }
    Ok(())
}

/// A weight product to time (`./qy bench llm`'s kernel rows, `KernelBench` in wasm): one random
/// matrix in the model's main layouts and `tokens` activation vectors.
pub struct ProductBench {
    w: Matrix,
    xs: Vec<Q8Vector>,
    out: Vec<f32>,
}

impl ProductBench {
    /// `layout`: "q5", "q4", "q6" (packed Q5_0 / Q4_K / Q6_K as the loader holds them: four rows
    /// per block in relaxed-SIMD builds, else one), "q5r", "q4r", "q6r" (the same, one row per
    /// block in every build), "q5x" / "q6x" (Q5_0 / Q6_K expanded).
    pub fn new(layout: &str, rows: usize, cols: usize, tokens: usize, seed: u64) -> Result<Self, String> {
        let align = if matches!(layout, "q4" | "q4r" | "q6" | "q6r" | "q6x") { 256 } else { BLOCK };
        if rows == 0 || cols == 0 || cols % align != 0 || tokens == 0 {
            return Err(format!("{layout}: rows and tokens must be positive and cols a multiple of {align}, not {rows}×{cols}, {tokens} tokens"));
        }
        let mut rng = Rng::new(seed);
        let blocks = rows * cols / BLOCK;
        let w = match layout {
            "q5" | "q5r" => {
                let values: Vec<i8> = (0..rows * cols).map(|_| (rng.below(32) as i32 - 16) as i8).collect();
                let m = Q5Matrix::from_values(&values, rng.vec(blocks, 0.05), rows, cols);
                if layout == "q5" && super::quant::RELAXED { Matrix::Q5Quads(Q5Quads::from_q5(&m)) } else { Matrix::Q5(m) }
            }
            "q4" | "q4r" => {
                let values: Vec<i8> = (0..rows * cols).map(|_| rng.below(16) as i8).collect();
                let m = Q4Matrix::from_values(&values, rng.vec(blocks, 0.05), rng.vec(blocks, 0.1), rows, cols);
                if layout == "q4" && super::quant::RELAXED { Matrix::Q4Quads(Q4Quads::from_q4(&m)) } else { Matrix::Q4(m) }
            }
            "q6" if super::quant::RELAXED => Matrix::Q6Quads(Q6Quads::from_q6(&random_q6(&mut rng, rows, cols))),
            "q6" | "q6r" => Matrix::Q6(random_q6(&mut rng, rows, cols)),
            "q6x" => Matrix::Expanded(random_q6(&mut rng, rows, cols).to_q8()),
            "q5x" => Matrix::Expanded(random_matrix(&mut rng, rows, cols, 3)),
            other => return Err(format!("unknown layout {other:?} (q5, q5r, q4, q4r, q6, q6r, q5x, q6x)")),
        };
        let xs = (0..tokens).map(|_| Q8Vector::from_f32(&rng.vec(cols, 3.0))).collect();
        Ok(Self { w, xs, out: vec![0.0; rows * tokens] })
    }

    /// Runs the product `reps` times on this thread; returns a checksum (so it is not optimised away).
    pub fn run(&mut self, reps: usize) -> f32 {
        let rows = self.w.rows();
        for _ in 0..reps {
            super::matmul_rows(&self.w, &self.xs, 0..rows, &mut self.out);
        }
        self.out.iter().sum()
    }

    /// Multiply-adds per run.
    pub fn work(&self) -> f64 {
        (self.w.rows() * self.w.cols() * self.xs.len()) as f64
    }
}
