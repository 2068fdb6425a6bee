//! Q5_0 weights kept packed (most of the model: every attention and MLP-up/gate matrix and
//! the embedding). Structure of arrays so each part stays aligned for SIMD loads:
//! - `nibbles`: 16 bytes per 32-block, byte i = low 4 bits of value i (low nibble) and of
//!   value i + 16 (high nibble), as in GGUF;
//! - `fifths`: the fifth bits, 16 bytes per 4 consecutive blocks (flat block index): for block
//!   `4g + j`, bit `4 + j` of byte i of plane g is value i's and bit `j` is value i + 16's. One
//!   16-bit shift by `j` (right, or left by `4 − j`) and a mask put every lane's bit at 0x10, where
//!   GGUF's per-block u32 needs a byte shuffle and a bit test per lane (the unpack is what a
//!   one-token product spends its time on);
//! - `scales`: one f32 per block (GGUF's f16 `d`, widened once at load).
//!
//! Value i = (nibble | fifth bit << 4) − 16, in −16..=15, exactly GGUF's Q5_0. 24 bytes per 32
//! weights, against 36 when expanded to one i8 each (`Q8Matrix`); the SIMD kernels unpack a
//! block in registers and then share the expanded layout's integer dot product, so the results
//! are bit-identical to it. Relaxed-SIMD builds hold packed Q5_0 four rows per block instead
//! (`q5_0_quads.rs`); this layout is the SIMD128 and native one.

use super::quant::{check_size, Q8Matrix, BLOCK};
use crate::Result;
use half::f16;

/// GGUF's Q5_0 block: f16 d, u32 qh, 16 bytes of nibbles.
const GGUF_BLOCK_BYTES: usize = 22;

#[derive(Debug, Clone, Default)]
pub struct Q5Matrix {
    pub rows: usize,
    pub cols: usize,
    pub scales: Vec<f32>,
    pub fifths: Vec<u8>,
    pub nibbles: Vec<u8>,
}

/// Blocks per plane of `fifths`.
const BLOCKS_PER_PLANE: usize = 4;

/// Where block `idx`'s fifth bits are: its plane's offset in `fifths`, and `j` (the low half's
/// bits are bit `4 + j` of each byte, the high half's bit `j`).
#[inline(always)]
pub fn fifths_at(idx: usize) -> (usize, u32) {
    (idx / BLOCKS_PER_PLANE * 16, (idx % BLOCKS_PER_PLANE) as u32)
}

impl Q5Matrix {
    pub fn blocks_per_row(&self) -> usize {
        self.cols / BLOCK
    }

    /// Splits GGUF Q5_0 rows into the three arrays (no unpacking).
    pub fn from_gguf(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        check_size("Q5_0", data, rows, cols, GGUF_BLOCK_BYTES)?;
        let mut m = Self::with_capacity(rows, cols);
        for (idx, block) in data.chunks_exact(GGUF_BLOCK_BYTES).enumerate() {
            m.scales.push(f16::from_le_bytes([block[0], block[1]]).to_f32());
            m.push_fifths(idx, u32::from_le_bytes(block[2..6].try_into().unwrap()));
            m.nibbles.extend_from_slice(&block[6..22]);
        }
        Ok(m)
    }

    /// Packs signed values in −16..=15 (tests and the kernel property checks).
    pub fn from_values(values: &[i8], scales: Vec<f32>, rows: usize, cols: usize) -> Self {
        assert_eq!(values.len(), rows * cols);
        assert_eq!(scales.len(), rows * cols / BLOCK);
        let mut m = Self::with_capacity(rows, cols);
        m.scales = scales;
        for (idx, block) in values.chunks_exact(BLOCK).enumerate() {
            let mut qh = 0u32;
            for j in 0..16 {
                let lo = (block[j] + 16) as u8;
                let hi = (block[j + 16] + 16) as u8;
                m.nibbles.push((lo & 0x0f) | (hi << 4));
                qh |= ((lo >> 4) as u32) << j | ((hi >> 4) as u32) << (j + 16);
            }
            m.push_fifths(idx, qh);
        }
        m
    }

    /// Stores block `idx`'s fifth bits, given as GGUF's u32 (bit i = value i's), in its plane.
    fn push_fifths(&mut self, idx: usize, qh: u32) {
        let (at, j) = fifths_at(idx);
        if at == self.fifths.len() {
            self.fifths.extend([0u8; 16]);
        }
        for (i, byte) in self.fifths[at..at + 16].iter_mut().enumerate() {
            *byte |= (((qh >> i) & 1) as u8) << (4 + j) | (((qh >> (i + 16)) & 1) as u8) << j;
        }
    }

    /// Block `idx`'s fifth bits as GGUF's u32 (bit i = value i's).
    pub fn fifth_bits(&self, idx: usize) -> u32 {
        let (at, j) = fifths_at(idx);
        let plane = &self.fifths[at..at + 16];
        (0..16).map(|i| ((plane[i] as u32 >> (4 + j)) & 1) << i | ((plane[i] as u32 >> j) & 1) << (i + 16)).sum()
    }

    /// Block `idx` (row-major over rows × blocks_per_row) as 32 signed values.
    #[inline]
    pub fn block(&self, idx: usize) -> [i8; BLOCK] {
        let qs = &self.nibbles[idx * 16..idx * 16 + 16];
        let (at, j) = fifths_at(idx);
        let plane = &self.fifths[at..at + 16];
        let mut out = [0i8; BLOCK];
        for i in 0..16 {
            out[i] = ((qs[i] & 0x0f) | ((plane[i] >> j) & 0x10)) as i8 - 16;
            out[i + 16] = ((qs[i] >> 4) | ((plane[i] << (4 - j)) & 0x10)) as i8 - 16;
        }
        out
    }

    /// The same matrix in the expanded layout (the reference the kernels are checked against).
    pub fn to_q8(&self) -> Q8Matrix {
        let blocks = self.scales.len();
        Q8Matrix {
            rows: self.rows,
            cols: self.cols,
            group: BLOCK,
            scales: self.scales.clone(),
            mins: Vec::new(),
            unsigned_shift: Some(16),
            quants: (0..blocks).flat_map(|b| self.block(b)).collect(),
        }
    }

    /// One row back to f32 (embedding lookup).
    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        let bpr = self.blocks_per_row();
        for (b, chunk) in out[..self.cols].chunks_exact_mut(BLOCK).enumerate() {
            let idx = row * bpr + b;
            let d = self.scales[idx];
            for (o, q) in chunk.iter_mut().zip(self.block(idx)) {
                *o = d * q as f32;
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.nibbles.len() + self.fifths.len() + 4 * self.scales.len()
    }

    fn with_capacity(rows: usize, cols: usize) -> Self {
        let blocks = rows * cols / BLOCK;
        Self {
            rows,
            cols,
            scales: Vec::with_capacity(blocks),
            fifths: Vec::with_capacity(blocks.div_ceil(BLOCKS_PER_PLANE) * 16),
            nibbles: Vec::with_capacity(blocks * 16),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::quant::Q8Matrix;

    #[test]
    fn gguf_blocks_split_losslessly_and_unpack_like_the_expanded_repack() {
        let mut rng = crate::rng::Rng::new(11);
        let values: Vec<i8> = (0..3 * 64).map(|_| (rng.below(32) as i32 - 16) as i8).collect();
        let scales: Vec<f32> = (0..6).map(|i| f16::from_f32(0.01 * (i as f32 + 1.0)).to_f32()).collect();
        let packed = Q5Matrix::from_values(&values, scales.clone(), 3, 64);
        // Rebuild the GGUF bytes from the packed arrays and load them both ways.
        let mut gguf = Vec::new();
        for b in 0..6 {
            gguf.extend(f16::from_f32(scales[b]).to_le_bytes());
            gguf.extend(packed.fifth_bits(b).to_le_bytes());
            gguf.extend(&packed.nibbles[b * 16..b * 16 + 16]);
        }
        let from_gguf = Q5Matrix::from_gguf(&gguf, 3, 64).unwrap();
        assert_eq!(from_gguf.to_q8().quants, values);
        assert_eq!(Q8Matrix::from_q5_0(&gguf, 3, 64).unwrap().quants, values);
        assert_eq!(from_gguf.scales, scales);
        assert!(Q5Matrix::from_gguf(&gguf[..gguf.len() - 1], 3, 64).is_err());
        let mut row = vec![0.0; 64];
        from_gguf.dequantize_row(1, &mut row);
        assert_eq!(row[33], scales[3] * values[64 + 33] as f32);
    }
}
