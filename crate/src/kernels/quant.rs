//! Quantized block layouts used by the LLM kernels.
//!
//! **Expanded weights** (`Q8Matrix`): a GGUF weight format can be repacked at load time,
//! losslessly, into one SIMD-friendly layout: `i8` values in `quants` (row-major, 32-blocks),
//! one `f32` scale per `group` values (32, or 16 for Q6_K) in `scales`, and for Q4_K one `f32`
//! min per 32-block in `mins` (value = scale · q − min). Per format:
//! - Q5_0: q − 16 (−16..=15), scale = d;           - Q8_0: q, scale = d;
//! - Q4_K: q (0..=15), scale = d·sc, min = dmin·m (6-bit sc/m per 32 values);
//! - Q6_K: q − 32 (−32..=31), scale = d·sc (int8 sc per 16 values), group 16.
//! Structure of arrays keeps the quants 16-byte aligned for SIMD loads. Cost: ~36 bytes per
//! 32 weights instead of Q5_0's 22, so with packed weights only Q8_0 is held this way; Q5_0,
//! Q4_K and Q6_K stay packed (`q5_0`, `q4_k`, `q6_k`; four rows per block in relaxed-SIMD
//! builds, `q5_0_quads`, `q4_k_quads`, `q6_k_quads`), and their expanded repacks here are the
//! references those layouts are tested against.
//!
//! **Activations** (`Q8Vector`): quantized per 32-block exactly like llama.cpp's Q8_0
//! (`d = amax / 127` rounded to f16, `q = round(x / d)`), so our integer dot products equal
//! llama.cpp's; the quants are stored widened to `i16` so the SIMD inner loop needs no
//! sign-extension of the activations.

use super::q4_k::scale_min_k4;
use crate::{Error, Result};
use half::f16;

pub const BLOCK: usize = 32;

/// A row-major matrix of `rows` × `cols` in the repacked Q8 layout above.
#[derive(Debug, Clone, Default)]
pub struct Q8Matrix {
    pub rows: usize,
    pub cols: usize,
    /// Values per scale: 32 (one per block) or 16 (two per block, Q6_K).
    pub group: usize,
    pub scales: Vec<f32>,
    /// Empty, or one per 32-block (Q4_K's affine offset).
    pub mins: Vec<f32>,
    pub quants: Vec<i8>,
    /// What, added to every quant, puts it in 0..=127: the unsigned 7-bit operand the
    /// relaxed-SIMD dot product needs (Q5_0 16, Q6_K 32, Q4_K 0). `None` when the values can
    /// span all of i8 (Q8_0, f32); the relaxed build then uses the SIMD128 kernel (as for Q6_K,
    /// see `wasm_relaxed::relaxed_shift`).
    pub unsigned_shift: Option<i8>,
}

impl Q8Matrix {
    pub fn blocks_per_row(&self) -> usize {
        self.cols / BLOCK
    }

    /// Repacks GGUF Q4_K rows (per 256: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins,
    /// 128 bytes of nibbles; each 64 values = low nibbles of 32 bytes then their high nibbles).
    pub fn from_q4_k(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        const BYTES: usize = 144;
        let supers = check_size_k("Q4_K", data, rows, cols, BYTES)?;
        let mut m = Self::with_capacity(rows, cols);
        m.unsigned_shift = Some(0);
        m.mins.reserve(rows * cols / BLOCK);
        for s in 0..supers {
            let b = &data[s * BYTES..(s + 1) * BYTES];
            let d = f16::from_le_bytes([b[0], b[1]]).to_f32();
            let dmin = f16::from_le_bytes([b[2], b[3]]).to_f32();
            let scales = &b[4..16];
            let qs = &b[16..144];
            for chunk in 0..4 {
                let q = &qs[chunk * 32..(chunk + 1) * 32];
                for (half, shift) in [(0, 0), (1, 4)] {
                    let (sc, mn) = scale_min_k4(chunk * 2 + half, scales);
                    m.scales.push(d * sc as f32);
                    m.mins.push(dmin * mn as f32);
                    m.quants.extend(q.iter().map(|&v| ((v >> shift) & 0x0f) as i8));
                }
            }
        }
        Ok(m)
    }

    /// Repacks GGUF Q6_K rows (per 256: 128 bytes low nibbles, 64 bytes of 2-bit highs,
    /// 16 int8 scales (one per 16 values), f16 d).
    pub fn from_q6_k(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        const BYTES: usize = 210;
        let supers = check_size_k("Q6_K", data, rows, cols, BYTES)?;
        let mut m = Self::with_capacity(rows, cols);
        m.group = 16;
        m.unsigned_shift = Some(32);
        m.scales.reserve(rows * cols / 16);
        for s in 0..supers {
            let b = &data[s * BYTES..(s + 1) * BYTES];
            let d = f16::from_le_bytes([b[208], b[209]]).to_f32();
            let sc = &b[192..208];
            m.scales.extend(sc.iter().map(|&v| d * (v as i8) as f32));
            let mut out = [0i8; 256];
            for half in 0..2 {
                let ql = &b[half * 64..(half + 1) * 64];
                let qh = &b[128 + half * 32..128 + (half + 1) * 32];
                let y = &mut out[half * 128..(half + 1) * 128];
                for l in 0..32 {
                    y[l] = ((ql[l] & 0x0f) | ((qh[l] & 3) << 4)) as i8 - 32;
                    y[l + 32] = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) as i8 - 32;
                    y[l + 64] = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i8 - 32;
                    y[l + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i8 - 32;
                }
            }
            m.quants.extend_from_slice(&out);
        }
        Ok(m)
    }

    /// Repacks GGUF Q5_0 rows (per block: f16 d, u32 qh high bits, 16 bytes of nibbles).
    pub fn from_q5_0(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        const BYTES: usize = 22;
        let blocks = check_size("Q5_0", data, rows, cols, BYTES)?;
        let mut m = Self::with_capacity(rows, cols);
        m.unsigned_shift = Some(16);
        for b in 0..blocks {
            let block = &data[b * BYTES..(b + 1) * BYTES];
            m.scales.push(f16::from_le_bytes([block[0], block[1]]).to_f32());
            let qh = u32::from_le_bytes(block[2..6].try_into().unwrap());
            let qs = &block[6..22];
            // Element j < 16 is the low nibble of qs[j]; element j + 16 the high nibble.
            // Bit j of qh is the fifth bit of element j.
            let mut out = [0i8; BLOCK];
            for j in 0..16 {
                let lo = (qs[j] & 0x0f) | ((((qh >> j) & 1) as u8) << 4);
                let hi = (qs[j] >> 4) | ((((qh >> (j + 16)) & 1) as u8) << 4);
                out[j] = lo as i8 - 16;
                out[j + 16] = hi as i8 - 16;
            }
            m.quants.extend_from_slice(&out);
        }
        Ok(m)
    }

    /// Repacks GGUF Q8_0 rows (per block: f16 d, 32 × i8).
    pub fn from_q8_0(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        const BYTES: usize = 34;
        let blocks = check_size("Q8_0", data, rows, cols, BYTES)?;
        let mut m = Self::with_capacity(rows, cols);
        for b in 0..blocks {
            let block = &data[b * BYTES..(b + 1) * BYTES];
            m.scales.push(f16::from_le_bytes([block[0], block[1]]).to_f32());
            m.quants.extend(block[2..].iter().map(|&q| q as i8));
        }
        Ok(m)
    }

    /// Quantizes f32 rows (used by tests and for f32/f16 weights in synthetic models).
    pub fn from_f32(values: &[f32], rows: usize, cols: usize) -> Self {
        assert_eq!(values.len(), rows * cols);
        assert_eq!(cols % BLOCK, 0);
        let mut m = Self::with_capacity(rows, cols);
        for block in values.chunks_exact(BLOCK) {
            let (d, q) = quantize_block(block);
            m.scales.push(d);
            m.quants.extend(q.iter().map(|&v| v as i8));
        }
        m
    }

    /// One row back to f32 (embedding lookup).
    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        let base = row * self.cols;
        for (i, o) in out[..self.cols].iter_mut().enumerate() {
            let at = base + i;
            let min = if self.mins.is_empty() { 0.0 } else { self.mins[at / BLOCK] };
            *o = self.scales[at / self.group] * self.quants[at] as f32 - min;
        }
    }

    fn with_capacity(rows: usize, cols: usize) -> Self {
        Self {
            rows,
            cols,
            group: BLOCK,
            scales: Vec::with_capacity(rows * cols / BLOCK),
            mins: Vec::new(),
            quants: Vec::with_capacity(rows * cols),
            unsigned_shift: None,
        }
    }
}

/// Checks a GGUF tensor of 256-value super-blocks of `block_bytes` each; returns their count.
pub(super) fn check_size_k(kind: &str, data: &[u8], rows: usize, cols: usize, block_bytes: usize) -> Result<usize> {
    if cols % 256 != 0 {
        return Err(Error::ModelLoad(format!("{kind} row length {cols} is not a multiple of 256")));
    }
    let supers = rows * cols / 256;
    if data.len() != supers * block_bytes {
        return Err(Error::ModelLoad(format!(
            "{kind} tensor of {rows}×{cols} needs {} bytes, got {}",
            supers * block_bytes,
            data.len()
        )));
    }
    Ok(supers)
}

/// Checks a GGUF tensor of 32-value blocks of `block_bytes` each; returns their count.
pub(super) fn check_size(kind: &str, data: &[u8], rows: usize, cols: usize, block_bytes: usize) -> Result<usize> {
    if cols % BLOCK != 0 {
        return Err(Error::ModelLoad(format!("{kind} row length {cols} is not a multiple of {BLOCK}")));
    }
    let blocks = rows * cols / BLOCK;
    if data.len() != blocks * block_bytes {
        return Err(Error::ModelLoad(format!(
            "{kind} tensor of {rows}×{cols} needs {} bytes, got {}",
            blocks * block_bytes,
            data.len()
        )));
    }
    Ok(blocks)
}

/// Whether this build's kernels use relaxed SIMD (and so read `Q8Vector::bytes` and `sums16`).
pub const RELAXED: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128", target_feature = "relaxed-simd"));
/// Whether this build's kernels are SIMD128 without relaxed SIMD (they read `Q8Vector::unshift16`
/// in their own lane order).
const SIMD128_ONLY: bool = cfg!(all(target_arch = "wasm32", target_feature = "simd128", not(target_feature = "relaxed-simd")));

/// An activation vector quantized in 32-blocks (llama.cpp's Q8_0 rule), quants widened to i16.
#[derive(Debug, Clone, Default)]
pub struct Q8Vector {
    pub scales: Vec<f32>,
    pub quants: Vec<i16>,
    /// Per block: scale · Σ quants (for matrices with mins).
    pub sums: Vec<f32>,
    /// Relaxed-SIMD builds only (else empty): the quants as i8 (|q| ≤ 127, the signed operand
    /// of the relaxed dot).
    pub bytes: Vec<i8>,
    /// Wasm builds only (else empty): per block, what takes a weight shift of 16 back out of its
    /// integer dot, lane by lane, as the dot's starting sums. Relaxed builds: `[−16·Σ q[0..16],
    /// −16·Σ q[16..32], 0, 0]` (the two half dots start from lanes 0 and 1). SIMD128 builds: lane
    /// l = −16 · Σ_g (q[8g + 2l] + q[8g + 2l + 1]) over the block's four groups g of eight (the
    /// lanes of `i32x4.dot_i16x8_s`), so each lane's sum equals that of the shifted-back weights.
    pub unshift16: Vec<[i32; 4]>,
}

impl Q8Vector {
    pub fn quantize(&mut self, x: &[f32]) {
        assert_eq!(x.len() % BLOCK, 0, "activation length must be a multiple of {BLOCK}");
        self.scales.clear();
        self.quants.clear();
        self.sums.clear();
        self.bytes.clear();
        self.unshift16.clear();
        for block in x.chunks_exact(BLOCK) {
            let (d, q) = super::quantize_block(block);
            self.scales.push(d);
            self.sums.push(d * q.iter().map(|&v| v as i32).sum::<i32>() as f32);
            self.quants.extend_from_slice(&q);
            if RELAXED {
                self.bytes.extend(q.iter().map(|&v| v as i8));
                let half = |h: &[i16]| -16 * h.iter().map(|&v| v as i32).sum::<i32>();
                self.unshift16.push([half(&q[..16]), half(&q[16..]), 0, 0]);
            } else if SIMD128_ONLY {
                let lane = |l: usize| -16 * (0..4).map(|g| (q[8 * g + 2 * l] + q[8 * g + 2 * l + 1]) as i32).sum::<i32>();
                self.unshift16.push([lane(0), lane(1), lane(2), lane(3)]);
            }
        }
    }

    pub fn from_f32(x: &[f32]) -> Self {
        let mut v = Self::default();
        v.quantize(x);
        v
    }

    pub fn len(&self) -> usize {
        self.quants.len()
    }

    pub fn is_empty(&self) -> bool {
        self.quants.is_empty()
    }
}

/// llama.cpp's `quantize_row_q8_0` rule for one block: d = amax/127 stored as f16,
/// q = round(x * (1/d)) with the unrounded d. The reference: activations go through
/// `kernels::quantize_block`, which SIMD builds answer with the same bits.
pub fn quantize_block(x: &[f32]) -> (f32, [i16; BLOCK]) {
    // `f32::max` and `f32::round` are libm calls in wasm (fmaxf, roundf: 3–4 % of a decoded
    // token in Chromium's profile); these are the same functions in inline instructions.
    let amax = x.iter().fold(0f32, |m, v| if v.abs() > m { v.abs() } else { m });
    let d = amax / 127.0;
    let id = if d != 0.0 { 1.0 / d } else { 0.0 };
    let mut q = [0i16; BLOCK];
    for (o, &v) in q.iter_mut().zip(x) {
        *o = round_half_away(v * id) as i16;
    }
    (f16::from_f32(d).to_f32(), q)
}

/// `f32::round` (halves away from zero, as C's `roundf` in llama.cpp). `v − trunc(v)` is exact,
/// so its comparison with 0.5 is too; `(v + 0.5).floor()` would not be (0.49999997 + 0.5 is 1.0
/// in f32).
#[inline(always)]
fn round_half_away(v: f32) -> f32 {
    let t = v.trunc();
    if (v - t).abs() >= 0.5 {
        t + 1f32.copysign(v)
    } else {
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_rounding_is_f32_round() {
        let mut values = vec![0.0f32, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, 0.49999997, -0.49999997, 126.5, -127.5, 8388607.5, 1e9, f32::INFINITY];
        let mut seed = 12345u32;
        for _ in 0..100_000 {
            seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
            values.push((seed as f32 / u32::MAX as f32 - 0.5) * 300.0);
            values.push((seed >> 8) as f32 / 1024.0 * if seed & 1 == 0 { 1.0 } else { -1.0 });
        }
        for v in values {
            assert_eq!(round_half_away(v).to_bits(), v.round().to_bits(), "{v}");
        }
        assert!(round_half_away(f32::NAN).is_nan());
    }

    /// Builds one Q5_0 block from 32 signed values in −16..=15 and a scale, the GGUF way.
    pub(crate) fn q5_0_block(d: f32, values: &[i8; 32]) -> Vec<u8> {
        let mut b = f16::from_f32(d).to_le_bytes().to_vec();
        let mut qh = 0u32;
        let mut qs = [0u8; 16];
        for j in 0..16 {
            let lo = (values[j] + 16) as u8;
            let hi = (values[j + 16] + 16) as u8;
            qs[j] = (lo & 0x0f) | ((hi & 0x0f) << 4);
            qh |= ((lo >> 4) as u32 & 1) << j;
            qh |= ((hi >> 4) as u32 & 1) << (j + 16);
        }
        b.extend(qh.to_le_bytes());
        b.extend(qs);
        b
    }

    #[test]
    fn q5_0_repack_is_lossless() {
        let values: [i8; 32] = std::array::from_fn(|i| ((i * 7 % 32) as i32 - 16) as i8);
        let m = Q8Matrix::from_q5_0(&q5_0_block(0.25, &values), 1, 32).unwrap();
        assert_eq!(m.scales, vec![0.25]);
        assert_eq!(m.quants, values.to_vec());
    }

    #[test]
    fn q8_0_repack_is_lossless_and_sizes_are_checked() {
        let mut block = f16::from_f32(-0.5).to_le_bytes().to_vec();
        block.extend((0..32).map(|i| (i as i8 - 16) as u8));
        let m = Q8Matrix::from_q8_0(&block, 1, 32).unwrap();
        assert_eq!(m.scales, vec![-0.5]);
        assert_eq!(m.quants[0], -16);
        assert!(Q8Matrix::from_q8_0(&block[..33], 1, 32).is_err());
        assert!(Q8Matrix::from_q5_0(&block, 1, 32).is_err());
    }

    #[test]
    fn activation_quantization_matches_the_llama_cpp_rule() {
        let x: Vec<f32> = (0..32).map(|i| (i as f32 - 10.0) * 0.1).collect();
        let v = Q8Vector::from_f32(&x);
        let d = 2.1f32 / 127.0;
        assert_eq!(v.scales[0], f16::from_f32(d).to_f32());
        assert_eq!(v.quants[31], 127);
        assert_eq!(v.quants[10], 0);
        assert_eq!(v.quants[0], (-1.0f32 / d).round() as i16);
        let zeros = Q8Vector::from_f32(&[0.0; 32]);
        assert!(zeros.quants.iter().all(|&q| q == 0));
    }
}
