//! Q4_K weights kept packed (the model's attention-value and some MLP-down matrices). GGUF
//! stores 256-value super-blocks with 6-bit (scale, min) pairs per 32 values; we keep, per
//! 32-block, structure of arrays:
//! - `nibbles`: 16 bytes, byte j = value j (low nibble) and value j + 16 (high nibble), the
//!   same arrangement as Q5_0 so one register unpack serves both;
//! - `scales`, `mins`: f32 (d·sc and dmin·m, computed once at load).
//!
//! Value = scale · q − min with q in 0..=15. 24 bytes per 32 weights, against 40 expanded.
//! The min term is the same scalar pass as the expanded layout's (`subtract_mins`).

use super::quant::{check_size_k, Q8Matrix, BLOCK};
use crate::Result;
use half::f16;

const SUPER: usize = 256;
const GGUF_SUPER_BYTES: usize = 144;

#[derive(Debug, Clone, Default)]
pub struct Q4Matrix {
    pub rows: usize,
    pub cols: usize,
    pub scales: Vec<f32>,
    pub mins: Vec<f32>,
    pub nibbles: Vec<u8>,
}

impl Q4Matrix {
    pub fn blocks_per_row(&self) -> usize {
        self.cols / BLOCK
    }

    /// Repacks GGUF Q4_K rows (per 256: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins,
    /// 128 bytes of nibbles; each 64 values = low nibbles of 32 bytes, then their high nibbles).
    pub fn from_gguf(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        let blocks = check_size_k("Q4_K", data, rows, cols, GGUF_SUPER_BYTES)? * (SUPER / BLOCK);
        let mut m = Self {
            rows,
            cols,
            scales: Vec::with_capacity(blocks),
            mins: Vec::with_capacity(blocks),
            nibbles: Vec::with_capacity(blocks * 16),
        };
        for b in data.chunks_exact(GGUF_SUPER_BYTES) {
            let d = f16::from_le_bytes([b[0], b[1]]).to_f32();
            let dmin = f16::from_le_bytes([b[2], b[3]]).to_f32();
            let (packed_scales, qs) = (&b[4..16], &b[16..144]);
            for chunk in 0..4 {
                let q = &qs[chunk * 32..(chunk + 1) * 32];
                for (half, shift) in [(0, 0), (1, 4)] {
                    let (sc, mn) = scale_min_k4(chunk * 2 + half, packed_scales);
                    m.scales.push(d * sc as f32);
                    m.mins.push(dmin * mn as f32);
                    let value = |j: usize| (q[j] >> shift) & 0x0f;
                    m.nibbles.extend((0..16).map(|j| value(j) | value(j + 16) << 4));
                }
            }
        }
        Ok(m)
    }

    /// Block `idx` as 32 values in 0..=15.
    #[inline]
    pub fn block(&self, idx: usize) -> [i8; BLOCK] {
        let qs = &self.nibbles[idx * 16..idx * 16 + 16];
        let mut out = [0i8; BLOCK];
        for j in 0..16 {
            out[j] = (qs[j] & 0x0f) as i8;
            out[j + 16] = (qs[j] >> 4) as i8;
        }
        out
    }

    /// The same matrix in the expanded layout (the reference the kernels are checked against).
    pub fn to_q8(&self) -> Q8Matrix {
        Q8Matrix {
            rows: self.rows,
            cols: self.cols,
            group: BLOCK,
            scales: self.scales.clone(),
            mins: self.mins.clone(),
            unsigned_shift: Some(0),
            quants: (0..self.scales.len()).flat_map(|b| self.block(b)).collect(),
        }
    }

    /// Packs values in 0..=15 (tests and the kernel property checks).
    pub fn from_values(values: &[i8], scales: Vec<f32>, mins: Vec<f32>, rows: usize, cols: usize) -> Self {
        assert_eq!(values.len(), rows * cols);
        let nibbles = values.chunks_exact(BLOCK).flat_map(|b| (0..16).map(move |j| b[j] as u8 | (b[j + 16] as u8) << 4)).collect();
        Self { rows, cols, scales, mins, nibbles }
    }

    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        let bpr = self.blocks_per_row();
        for (b, chunk) in out[..self.cols].chunks_exact_mut(BLOCK).enumerate() {
            let idx = row * bpr + b;
            for (o, q) in chunk.iter_mut().zip(self.block(idx)) {
                *o = self.scales[idx] * q as f32 - self.mins[idx];
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.nibbles.len() + 4 * (self.scales.len() + self.mins.len())
    }
}

/// Q4_K's packed 6-bit (scale, min) of sub-block `j` (0..8).
pub(crate) fn scale_min_k4(j: usize, q: &[u8]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        ((q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_q4_k_holds_the_same_values_as_the_expanded_repack() {
        let mut rng = crate::rng::Rng::new(44);
        let (rows, cols) = (2, 512);
        let data: Vec<u8> = (0..rows * cols / SUPER * GGUF_SUPER_BYTES)
            .map(|i| match i % GGUF_SUPER_BYTES {
                // Keep d and dmin small finite f16s.
                0 | 2 => 0x00,
                1 | 3 => 0x2c,
                _ => rng.below(256) as u8,
            })
            .collect();
        let packed = Q4Matrix::from_gguf(&data, rows, cols).unwrap().to_q8();
        let expanded = Q8Matrix::from_q4_k(&data, rows, cols).unwrap();
        assert_eq!(packed.quants, expanded.quants);
        assert_eq!(packed.scales, expanded.scales);
        assert_eq!(packed.mins, expanded.mins);
        assert!(Q4Matrix::from_gguf(&data[1..], rows, cols).is_err());
    }
}
