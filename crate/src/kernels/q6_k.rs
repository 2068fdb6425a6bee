//! Q6_K weights kept packed (half of the model's MLP-down matrices), in GGUF's own bit layout.
//! GGUF stores 256-value super-blocks as two 128-value halves: 64 bytes of low nibbles (`ql`),
//! 32 bytes of 2-bit highs (`qh`), then 16 int8 scales (one per 16 values) and an f16 `d` for
//! the super-block. We keep `ql` and `qh` as they are, the int8 scales, and `d` widened to f32.
//!
//! Why GGUF's layout suits SIMD: in a 128-value group, 32-block k (0..4) is byte for byte
//! `ql[32·(k mod 2) + j]` (low nibble for k < 2, high for k ≥ 2) and bits 2k, 2k+1 of `qh[j]`,
//! j = 0..32. The shifts are the same for every lane, so a block unpacks with whole-register
//! shifts and masks (no per-bit spreading as for Q5_0).
//!
//! Value = d · scale · (q − 32) with q in 0..=63, exactly GGUF's Q6_K. A kernel forms each
//! scale as `d · scale` in f32, the very product the expanded layout (`Q8Matrix::from_q6_k`)
//! stores, so the packed products are bit-identical to the expanded ones. 26.5 bytes per 32
//! weights (GGUF's 26.25), against 40 expanded.

use super::quant::{check_size_k, Q8Matrix, BLOCK};
use crate::Result;
use half::f16;

const SUPER: usize = 256;
const GGUF_SUPER_BYTES: usize = 210;
/// 32-blocks per super-block: the blocks sharing one `d`.
pub const BLOCKS_PER_SUPER: usize = SUPER / BLOCK;
/// 32-blocks per 128-value group (one `qh` run of 32 bytes, one `ql` run of 64).
pub const BLOCKS_PER_GROUP: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct Q6Matrix {
    pub rows: usize,
    pub cols: usize,
    pub d: Vec<f32>,
    pub sub_scales: Vec<i8>,
    /// 64 bytes per 128 values, as in GGUF.
    pub ql: Vec<u8>,
    /// 32 bytes per 128 values, as in GGUF.
    pub qh: Vec<u8>,
}

/// Where block `idx`'s bits are: its `ql` run (32 bytes) and nibble shift (0 or 4), its `qh`
/// run (32 bytes) and crumb shift (0, 2, 4, 6).
#[inline(always)]
pub fn block_at(idx: usize) -> (usize, u32, usize, u32) {
    let (group, k) = (idx / BLOCKS_PER_GROUP, idx % BLOCKS_PER_GROUP);
    (group * 64 + (k % 2) * 32, 4 * (k / 2) as u32, group * 32, 2 * k as u32)
}

impl Q6Matrix {
    pub fn blocks_per_row(&self) -> usize {
        self.cols / BLOCK
    }

    /// Keeps GGUF Q6_K rows' bits (per 256: 128 bytes `ql`, 64 bytes `qh`, 16 int8 scales, f16 d).
    pub fn from_gguf(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        check_size_k("Q6_K", data, rows, cols, GGUF_SUPER_BYTES)?;
        let mut m = Self::with_capacity(rows, cols);
        for b in data.chunks_exact(GGUF_SUPER_BYTES) {
            m.ql.extend_from_slice(&b[..128]);
            m.qh.extend_from_slice(&b[128..192]);
            m.sub_scales.extend(b[192..208].iter().map(|&v| v as i8));
            m.d.push(f16::from_le_bytes([b[208], b[209]]).to_f32());
        }
        Ok(m)
    }

    /// Packs values in 0..=63 with two scales per block and one `d` per [`BLOCKS_PER_SUPER`]
    /// blocks (tests and the kernel property checks). Any whole number of blocks: the last
    /// 128-value group is padded with zeros.
    pub fn from_values(values: &[u8], sub_scales: Vec<i8>, d: Vec<f32>, rows: usize, cols: usize) -> Self {
        assert_eq!(values.len(), rows * cols);
        let blocks = rows * cols / BLOCK;
        assert_eq!(sub_scales.len(), 2 * blocks);
        assert_eq!(d.len(), blocks.div_ceil(BLOCKS_PER_SUPER));
        let groups = blocks.div_ceil(BLOCKS_PER_GROUP);
        let mut m = Self { rows, cols, d, sub_scales, ql: vec![0; groups * 64], qh: vec![0; groups * 32] };
        for (idx, block) in values.chunks_exact(BLOCK).enumerate() {
            let (l, nibble_shift, h, crumb_shift) = block_at(idx);
            for (j, &q) in block.iter().enumerate() {
                debug_assert!(q < 64);
                m.ql[l + j] |= (q & 0x0f) << nibble_shift;
                m.qh[h + j] |= (q >> 4) << crumb_shift;
            }
        }
        m
    }

    /// The scales of block `idx`'s two halves: `d · scale`, the expanded layout's very floats.
    #[inline(always)]
    pub fn scales(&self, idx: usize) -> [f32; 2] {
        let d = self.d[idx / BLOCKS_PER_SUPER];
        [d * self.sub_scales[2 * idx] as f32, d * self.sub_scales[2 * idx + 1] as f32]
    }

    /// Block `idx` as 32 signed values (q − 32, in −32..=31).
    #[inline]
    pub fn block(&self, idx: usize) -> [i8; BLOCK] {
        let (l, nibble_shift, h, crumb_shift) = block_at(idx);
        let mut out = [0i8; BLOCK];
        for (j, o) in out.iter_mut().enumerate() {
            let q = ((self.ql[l + j] >> nibble_shift) & 0x0f) | ((self.qh[h + j] >> crumb_shift) & 3) << 4;
            *o = q as i8 - 32;
        }
        out
    }

    /// The same matrix in the expanded layout (the reference the kernels are checked against).
    pub fn to_q8(&self) -> Q8Matrix {
        let blocks = self.rows * self.cols / BLOCK;
        Q8Matrix {
            rows: self.rows,
            cols: self.cols,
            group: 16,
            scales: (0..blocks).flat_map(|b| self.scales(b)).collect(),
            mins: Vec::new(),
            unsigned_shift: Some(32),
            quants: (0..blocks).flat_map(|b| self.block(b)).collect(),
        }
    }

    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        let bpr = self.blocks_per_row();
        for (b, chunk) in out[..self.cols].chunks_exact_mut(BLOCK).enumerate() {
            let idx = row * bpr + b;
            let scales = self.scales(idx);
            for (j, (o, q)) in chunk.iter_mut().zip(self.block(idx)).enumerate() {
                *o = scales[j / 16] * q as f32;
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.ql.len() + self.qh.len() + self.sub_scales.len() + 4 * self.d.len()
    }

    fn with_capacity(rows: usize, cols: usize) -> Self {
        let blocks = rows * cols / BLOCK;
        Self {
            rows,
            cols,
            d: Vec::with_capacity(blocks / BLOCKS_PER_SUPER),
            sub_scales: Vec::with_capacity(2 * blocks),
            ql: Vec::with_capacity(16 * blocks),
            qh: Vec::with_capacity(8 * blocks),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_q6_k_holds_the_same_values_and_scales_as_the_expanded_repack() {
        let mut rng = crate::rng::Rng::new(66);
        let (rows, cols) = (3, 512);
        let data: Vec<u8> = (0..rows * cols / SUPER * GGUF_SUPER_BYTES)
            .map(|i| match i % GGUF_SUPER_BYTES {
                // Keep d a small finite f16.
                208 => 0x00,
                209 => 0x2c,
                _ => rng.below(256) as u8,
            })
            .collect();
        let packed = Q6Matrix::from_gguf(&data, rows, cols).unwrap();
        let expanded = Q8Matrix::from_q6_k(&data, rows, cols).unwrap();
        let repacked = packed.to_q8();
        assert_eq!(repacked.quants, expanded.quants);
        assert_eq!(repacked.scales, expanded.scales);
        assert_eq!((repacked.group, repacked.unsigned_shift), (expanded.group, expanded.unsigned_shift));
        let (mut a, mut b) = (vec![0.0; cols], vec![0.0; cols]);
        packed.dequantize_row(2, &mut a);
        expanded.dequantize_row(2, &mut b);
        assert_eq!(a, b);
        // 26.5 bytes per 32 weights: 16 of nibbles, 8 of 2-bit highs, 2 scales, an eighth of a d.
        assert_eq!(packed.bytes() * BLOCK, rows * cols * 53 / 2);
        assert!(Q6Matrix::from_gguf(&data[1..], rows, cols).is_err());
        // Packing values back gives the file's bits.
        let values: Vec<u8> = repacked.quants.iter().map(|&q| (q + 32) as u8).collect();
        let again = Q6Matrix::from_values(&values, packed.sub_scales.clone(), packed.d.clone(), rows, cols);
        assert_eq!((again.ql, again.qh), (packed.ql.clone(), packed.qh.clone()));
        assert!(Q6Matrix::from_gguf(&data, rows * 4, cols / 4).is_err());
    }
}
