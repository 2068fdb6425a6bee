//! Scalar reference kernels: the definition every SIMD path is tested against.

use super::q4_k::Q4Matrix;
use super::q5_0::Q5Matrix;
use super::q4_k_quads::Q4Quads;
use super::q5_0_quads::Q5Quads;
use super::q6_k_quads::Q6Quads;
use super::q6_k::Q6Matrix;
use super::quant::{Q8Matrix, Q8Vector, BLOCK};

/// `out[r] = Σ_g w.scale[r,g] · x.scale · Σ_i w.q · x.q − Σ_b w.min[r,b] · x.sum[b]` for
/// `rows`, where g runs over the matrix's scale groups (16 or 32 values).
pub fn matvec_q8(w: &Q8Matrix, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    let gpb = BLOCK / w.group;
    for (o, r) in out.iter_mut().zip(rows.clone()) {
        let mut acc = 0f32;
        for b in 0..bpr {
            for g in 0..gpb {
                let at = (r * bpr + b) * BLOCK + g * w.group;
                let wq = &w.quants[at..at + w.group];
                let xq = &x.quants[b * BLOCK + g * w.group..][..w.group];
                let sumi: i32 = wq.iter().zip(xq).map(|(&a, &b)| a as i32 * b as i32).sum();
                acc += w.scales[at / w.group] * x.scales[b] * sumi as f32;
            }
        }
        *o = acc;
    }
    subtract_mins(w, x, rows, out);
}

/// The packed Q5_0 product: the same sums, in the same order, as `matvec_q8` on `w.to_q8()`.
pub fn matvec_q5(w: &Q5Matrix, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    packed_rows(w.blocks_per_row(), |idx| w.block(idx), &w.scales, x, rows, out);
}

/// The row-quad Q5_0 product: the same sums, in the same order, as `matvec_q5` on the one-row
/// layout of the same weights.
pub fn matvec_q5_quads(w: &Q5Quads, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    quad_rows(w.blocks_per_row(), |r, b| w.row_block(r, b), |r, b| w.scale(r, b), x, rows, out);
}

/// Rows of a row-quad layout with one scale per block, each read back one row at a time.
fn quad_rows(
    bpr: usize,
    row_block: impl Fn(usize, usize) -> [i8; BLOCK],
    scale: impl Fn(usize, usize) -> f32,
    x: &Q8Vector,
    rows: std::ops::Range<usize>,
    out: &mut [f32],
) {
    for (o, r) in out.iter_mut().zip(rows) {
        let mut acc = 0f32;
        for b in 0..bpr {
            let xq = &x.quants[b * BLOCK..(b + 1) * BLOCK];
            let sumi: i32 = row_block(r, b).iter().zip(xq).map(|(&a, &b)| a as i32 * b as i32).sum();
            acc += scale(r, b) * x.scales[b] * sumi as f32;
        }
        *o = acc;
    }
}

/// The packed Q4_K product: the same sums, in the same order, as `matvec_q8` on `w.to_q8()`.
pub fn matvec_q4(w: &Q4Matrix, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    packed_rows(w.blocks_per_row(), |idx| w.block(idx), &w.scales, x, rows.clone(), out);
    subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows, out);
}

/// The packed Q6_K product: the same sums, in the same order, as `matvec_q8` on `w.to_q8()`
/// (two scales per block, each over 16 values).
pub fn matvec_q6(w: &Q6Matrix, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    for (o, r) in out.iter_mut().zip(rows) {
        let mut acc = 0f32;
        for b in 0..bpr {
            let idx = r * bpr + b;
            let (values, scales) = (w.block(idx), w.scales(idx));
            for g in 0..2 {
                let xq = &x.quants[b * BLOCK + g * 16..][..16];
                let sumi: i32 = values[g * 16..][..16].iter().zip(xq).map(|(&a, &b)| a as i32 * b as i32).sum();
                acc += scales[g] * x.scales[b] * sumi as f32;
            }
        }
        *o = acc;
    }
}

/// The row-quad Q6_K product: the same sums, in the same order, as `matvec_q6` on the one-row
/// layout of the same weights.
pub fn matvec_q6_quads(w: &Q6Quads, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    for (o, r) in out.iter_mut().zip(rows) {
        let mut acc = 0f32;
        for b in 0..bpr {
            let (values, scales) = (w.row_block(r, b), w.scales(r, b));
            for g in 0..2 {
                let xq = &x.quants[b * BLOCK + g * 16..][..16];
                let sumi: i32 = values[g * 16..][..16].iter().zip(xq).map(|(&a, &b)| a as i32 * b as i32).sum();
                acc += scales[g] * x.scales[b] * sumi as f32;
            }
        }
        *o = acc;
    }
}

/// The row-quad Q4_K product: the same sums, in the same order, as `matvec_q4` on the one-row
/// layout of the same weights (its min pass too: `subtract_block_mins`'s sum, row by row).
pub fn matvec_q4_quads(w: &Q4Quads, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    let bpr = w.blocks_per_row();
    quad_rows(bpr, |r, b| w.row_block(r, b), |r, b| w.scale(r, b), x, rows.clone(), out);
    for (o, r) in out.iter_mut().zip(rows) {
        *o -= (0..bpr).map(|b| w.min(r, b) * x.sums[b]).sum::<f32>();
    }
}

/// Rows of a packed layout with one scale per block, each block unpacked by `block(idx)`.
fn packed_rows(bpr: usize, block: impl Fn(usize) -> [i8; BLOCK], scales: &[f32], x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    for (o, r) in out.iter_mut().zip(rows) {
        let mut acc = 0f32;
        for b in 0..bpr {
            let idx = r * bpr + b;
            let xq = &x.quants[b * BLOCK..(b + 1) * BLOCK];
            let sumi: i32 = block(idx).iter().zip(xq).map(|(&a, &b)| a as i32 * b as i32).sum();
            acc += scales[idx] * x.scales[b] * sumi as f32;
        }
        *o = acc;
    }
}

/// For matrices with mins (Q4_K): `out[r] −= Σ_b min[r,b] · x.sum[b]`. Cheap (one multiply
/// per 32 weights), so every SIMD path shares this scalar pass.
pub fn subtract_mins(w: &Q8Matrix, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    subtract_block_mins(&w.mins, w.blocks_per_row(), x, rows, out)
}

/// `subtract_mins` for any layout: `mins` holds one per 32-block (or is empty).
pub fn subtract_block_mins(mins: &[f32], bpr: usize, x: &Q8Vector, rows: std::ops::Range<usize>, out: &mut [f32]) {
    if mins.is_empty() {
        return;
    }
    for (o, r) in out.iter_mut().zip(rows) {
        let mins = &mins[r * bpr..(r + 1) * bpr];
        *o -= mins.iter().zip(&x.sums).map(|(m, s)| m * s).sum::<f32>();
    }
}

pub fn rms_norm(x: &[f32], weight: &[f32], eps: f32, out: &mut [f32]) {
    let mean_sq = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
    let scale = 1.0 / (mean_sq + eps).sqrt();
    for ((o, &v), &w) in out.iter_mut().zip(x).zip(weight) {
        *o = v * scale * w;
    }
}

pub fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0f32;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let inv = 1.0 / sum;
    for v in x.iter_mut() {
        *v *= inv;
    }
}

/// SwiGLU: `gate[i] = silu(gate[i]) · up[i]`.
pub fn silu_mul(gate: &mut [f32], up: &[f32]) {
    for (g, &u) in gate.iter_mut().zip(up) {
        *g = *g / (1.0 + (-*g).exp()) * u;
    }
}

/// NeoX-style rotary embedding on each `head_dim` head of `x`: element i pairs with
/// i + head_dim/2, rotated by the angle whose cos/sin are `cos[i]`, `sin[i]`.
pub fn rope(x: &mut [f32], head_dim: usize, cos: &[f32], sin: &[f32]) {
    let half = head_dim / 2;
    for head in x.chunks_exact_mut(head_dim) {
        let (a, b) = head.split_at_mut(half);
        for i in 0..half {
            let (x0, x1) = (a[i], b[i]);
            a[i] = x0 * cos[i] - x1 * sin[i];
            b[i] = x0 * sin[i] + x1 * cos[i];
        }
    }
}

pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// One attention head's scores: `out[p] = scale · q·k_p` for the keys `k_p = keys[p·stride..]`
/// (a head of the KV cache: one row per position, `stride` floats apart).
pub fn attention_scores(q: &[f32], keys: &[f32], stride: usize, scale: f32, out: &mut [f32]) {
    for (p, score) in out.iter_mut().enumerate() {
        *score = dot(q, &keys[p * stride..][..q.len()]) * scale;
    }
}

/// One attention head's output: `out = Σ_p weights[p] · v_p` for the values
/// `v_p = values[p·stride..]`, added in position order.
pub fn attention_mix(weights: &[f32], values: &[f32], stride: usize, out: &mut [f32]) {
    out.fill(0.0);
    for (p, &w) in weights.iter().enumerate() {
        axpy(out, w, &values[p * stride..][..out.len()]);
    }
}

/// `acc += alpha · v`.
pub fn axpy(acc: &mut [f32], alpha: f32, v: &[f32]) {
    for (a, &x) in acc.iter_mut().zip(v) {
        *a += alpha * x;
    }
}
