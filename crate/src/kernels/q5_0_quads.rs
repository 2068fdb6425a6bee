//! Q5_0 weights with four rows interleaved per 32-block ("quads"), the layout the relaxed-SIMD
//! build holds packed Q5_0 in. With one row per block (`Q5Matrix`) a one-token product ends every
//! row with a horizontal sum and feeds each relaxed dot a 16-lane half block that first needs
//! its fifth bits shuffled in; here one vector holds four consecutive values of each of four
//! rows, so each lane group of the dot is one row, the activation operand is one 32-bit word
//! splatted, and the four rows' sums stay in the four i32 lanes: no horizontal sum, one scale
//! multiply per four rows (`./qy bench kernels`: ~2× the one-row layout's one-token GMAC/s).
//!
//! Per quad `q` (rows 4q..4q + 4) and block `b`, at `qb = q · blocks_per_row + b`:
//! - `nibbles[64 qb..]`: four vectors u = 0..4; lane 4k + m of vector u is row 4q + k's GGUF
//!   nibble byte 4u + m (low nibble: value 4u + m, high nibble: value 16 + 4u + m). So "weight
//!   vector" v = 0..8 (the low nibbles of vector v for v < 4, the high ones of vector v − 4 after)
//!   holds, in lane 4k + m, row k's value 4v + m;
//! - `fifths[16 qb..]`: byte 4k + m, bit v = the fifth bit of row k's value 4v + m;
//! - `scales[4 qb..]`: the four rows' block scales (GGUF's f16 `d` widened).
//!
//! Value = (nibble | fifth << 4) − 16, exactly GGUF's Q5_0; 24 bytes per 32 weights, as
//! `Q5Matrix`. Rows are padded to a multiple of four with zero weights and zero scales.

use super::q5_0::Q5Matrix;
use super::quant::{check_size, BLOCK};
use crate::Result;
use half::f16;

/// GGUF's Q5_0 block: f16 d, u32 qh, 16 bytes of nibbles.
const GGUF_BLOCK_BYTES: usize = 22;
/// Rows per quad.
pub const QUAD: usize = 4;

#[derive(Debug, Clone, Default)]
pub struct Q5Quads {
    pub rows: usize,
    pub cols: usize,
    pub nibbles: Vec<u8>,
    pub fifths: Vec<u8>,
    pub scales: Vec<f32>,
}

impl Q5Quads {
    pub fn blocks_per_row(&self) -> usize {
        self.cols / BLOCK
    }

    pub fn quads(&self) -> usize {
        self.rows.div_ceil(QUAD)
    }

    /// Straight from GGUF Q5_0 blocks (no second copy of the matrix, which for the embedding
    /// would add ~100 MB to the load's peak), word by word: placed a value at a time, the
    /// embedding cost the page's streamed load ~2 s more.
    pub fn from_gguf(data: &[u8], rows: usize, cols: usize) -> Result<Self> {
        check_size("Q5_0", data, rows, cols, GGUF_BLOCK_BYTES)?;
        let mut m = Self::zeroed(rows, cols);
        for (idx, block) in data.chunks_exact(GGUF_BLOCK_BYTES).enumerate() {
            let qh = u32::from_le_bytes(block[2..6].try_into().unwrap());
            m.place(idx, f16::from_le_bytes([block[0], block[1]]).to_f32(), &block[6..22], qh);
        }
        Ok(m)
    }

    /// All zeros, rows padded to quads.
    fn zeroed(rows: usize, cols: usize) -> Self {
        let quad_blocks = rows.div_ceil(QUAD) * (cols / BLOCK);
        Self { rows, cols, nibbles: vec![0; quad_blocks * 64], fifths: vec![0; quad_blocks * 16], scales: vec![0.0; quad_blocks * QUAD] }
    }

    /// Puts one-row block `idx` (row-major) in place: scale `d`, GGUF's 16 nibble bytes (byte i:
    /// value i low, value i + 16 high) and fifth bits (bit i = value i's).
    fn place(&mut self, idx: usize, d: f32, nibbles: &[u8], qh: u32) {
        let bpr = self.blocks_per_row();
        let (row, b) = (idx / bpr, idx % bpr);
        let (k, qb) = (row % QUAD, row / QUAD * bpr + b);
        self.scales[qb * QUAD + k] = d;
        place_nibbles(&mut self.nibbles[qb * 64..][..64], k, nibbles);
        for m in 0..4 {
            self.fifths[qb * 16 + 4 * k + m] = every_fourth_bit(qh >> m);
        }
    }

    /// The same weights from the one-row layout (tests, benches).
    pub fn from_q5(m: &Q5Matrix) -> Self {
        let mut out = Self::zeroed(m.rows, m.cols);
        for idx in 0..m.scales.len() {
            out.place(idx, m.scales[idx], &m.nibbles[idx * 16..idx * 16 + 16], m.fifth_bits(idx));
        }
        out
    }

    /// Row `row`'s block `b` as 32 signed values (the scalar kernel, the embedding lookup).
    pub fn row_block(&self, row: usize, b: usize) -> [i8; BLOCK] {
        let qb = row / QUAD * self.blocks_per_row() + b;
        let k = row % QUAD;
        let (nibbles, fifths) = (&self.nibbles[qb * 64..][..64], &self.fifths[qb * 16..][..16]);
        std::array::from_fn(|i| (nibble(nibbles, k, i) | ((fifths[4 * k + i % 4] >> (i / 4)) & 1) << 4) as i8 - 16)
    }

    pub fn scale(&self, row: usize, b: usize) -> f32 {
        self.scales[(row / QUAD * self.blocks_per_row() + b) * QUAD + row % QUAD]
    }

    /// One row back to f32 (embedding lookup).
    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        for (b, chunk) in out[..self.cols].chunks_exact_mut(BLOCK).enumerate() {
            let d = self.scale(row, b);
            for (o, q) in chunk.iter_mut().zip(self.row_block(row, b)) {
                *o = d * q as f32;
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.nibbles.len() + self.fifths.len() + 4 * self.scales.len()
    }
}

/// Bits 0, 4, 8, …, 28 of `x` as bits 0..8 (bit v = bit 4v).
fn every_fourth_bit(x: u32) -> u8 {
    let x = x & 0x1111_1111;
    let x = (x | x >> 3) & 0x0303_0303;
    let x = (x | x >> 6) & 0x000f_000f;
    ((x | x >> 12) & 0xff) as u8
}

/// Puts one row's 16 nibble bytes of a 32-block (the one-row order: byte j holds values j and
/// 16 + j) into its quad block's 64 bytes, as row `k` of four: bytes 4u..4u + 4 become lanes
/// 4k.. of vector u. `Q4Quads` places its nibbles the same way.
pub fn place_nibbles(quad_block: &mut [u8], k: usize, row_nibbles: &[u8]) {
    for u in 0..4 {
        quad_block[16 * u + 4 * k..][..4].copy_from_slice(&row_nibbles[4 * u..4 * u + 4]);
    }
}

/// Row `k`'s value `i` (0..32) of a quad block: its four low bits, as `place_nibbles` put them.
pub fn nibble(quad_block: &[u8], k: usize, i: usize) -> u8 {
    let byte = quad_block[16 * (i / 4 % 4) + 4 * k + i % 4];
    if i >= 16 { byte >> 4 } else { byte & 0x0f }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn random_q5(seed: u64, rows: usize, cols: usize) -> Q5Matrix {
        let mut rng = crate::rng::Rng::new(seed);
        let values: Vec<i8> = (0..rows * cols).map(|_| (rng.below(32) as i32 - 16) as i8).collect();
        let scales: Vec<f32> = (0..rows * cols / BLOCK).map(|_| f16::from_f32(rng.f32(0.05)).to_f32()).collect();
        Q5Matrix::from_values(&values, scales, rows, cols)
    }

    #[test]
    fn every_row_block_reads_back_as_the_one_row_layout() {
        for rows in [1, 4, 7, 9] {
            let m = random_q5(rows as u64, rows, 96);
            let quads = Q5Quads::from_q5(&m);
            assert_eq!(quads.quads(), rows.div_ceil(4));
            for row in 0..rows {
                for b in 0..3 {
                    assert_eq!(quads.row_block(row, b), m.block(row * 3 + b), "row {row} block {b}");
                    assert_eq!(quads.scale(row, b), m.scales[row * 3 + b]);
                }
                let (mut a, mut want) = (vec![0.0; 96], vec![0.0; 96]);
                quads.dequantize_row(row, &mut a);
                m.dequantize_row(row, &mut want);
                assert_eq!(a, want);
            }
            // Padding rows are zero weights with zero scales.
            if rows % 4 != 0 {
                assert_eq!(quads.scale(rows, 0), 0.0);
            }
        }
    }

    #[test]
    fn every_fourth_bit_gathers_bits_4v() {
        let mut rng = crate::rng::Rng::new(5);
        for _ in 0..100 {
            let x = rng.below(1 << 31) as u32 * 2 + rng.below(2) as u32;
            let want: u8 = (0..8).map(|v| (((x >> (4 * v)) & 1) as u8) << v).sum();
            assert_eq!(every_fourth_bit(x), want, "{x:#x}");
        }
    }

    #[test]
    fn gguf_bytes_give_the_same_quads_as_the_one_row_layout() {
        let m = random_q5(3, 6, 64);
        let mut gguf = Vec::new();
        for b in 0..m.scales.len() {
            gguf.extend(f16::from_f32(m.scales[b]).to_le_bytes());
            gguf.extend(m.fifth_bits(b).to_le_bytes());
            gguf.extend(&m.nibbles[b * 16..b * 16 + 16]);
        }
        let (a, b) = (Q5Quads::from_gguf(&gguf, 6, 64).unwrap(), Q5Quads::from_q5(&m));
        assert_eq!((a.nibbles, a.fifths, a.scales), (b.nibbles, b.fifths, b.scales));
        assert!(Q5Quads::from_gguf(&gguf[..gguf.len() - 1], 6, 64).is_err());
    }
}
