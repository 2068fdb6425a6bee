//! Q4_K weights with four rows interleaved per 32-block, as `Q5Quads` does for Q5_0: the layout
//! the relaxed-SIMD build holds packed Q4_K in. `nibbles` are placed exactly as `Q5Quads`'s
//! (weight vector v = 0..8 holds, in lane 4k + m, row k's value 4v + m) and `scales` likewise
//! (the four rows' `d · sc` per quad block), and `mins` as `scales` (the four rows' `dmin · m`
//! per quad block), so the relaxed kernel takes four rows' mins in one multiply too.
//!
//! Value = scale · q − min, q in 0..=15, as `Q4Matrix`; 24 bytes per 32 weights. Rows are padded
//! to a multiple of four with zero weights and scales.

use super::q4_k::Q4Matrix;
use super::q5_0_quads::{nibble, place_nibbles, QUAD};
use super::quant::BLOCK;

#[derive(Debug, Clone, Default)]
pub struct Q4Quads {
    pub rows: usize,
    pub cols: usize,
    pub nibbles: Vec<u8>,
    pub scales: Vec<f32>,
    pub mins: Vec<f32>,
}

impl Q4Quads {
    pub fn blocks_per_row(&self) -> usize {
        self.cols / BLOCK
    }

    /// The same weights from the one-row layout (Q4_K matrices are small: the loader converts
    /// each as it arrives).
    pub fn from_q4(m: &Q4Matrix) -> Self {
        let bpr = m.blocks_per_row();
        let quad_blocks = m.rows.div_ceil(QUAD) * bpr;
        let mut out = Self { rows: m.rows, cols: m.cols, nibbles: vec![0; quad_blocks * 64], scales: vec![0.0; quad_blocks * QUAD], mins: vec![0.0; quad_blocks * QUAD] };
        for row in 0..m.rows {
            let (q, k) = (row / QUAD, row % QUAD);
            for b in 0..bpr {
                let (idx, qb) = (row * bpr + b, q * bpr + b);
                out.scales[qb * QUAD + k] = m.scales[idx];
                out.mins[qb * QUAD + k] = m.mins[idx];
                // The one-row nibble bytes are arranged as Q5_0's.
                place_nibbles(&mut out.nibbles[qb * 64..][..64], k, &m.nibbles[idx * 16..][..16]);
            }
        }
        out
    }

    /// Row `row`'s block `b` as 32 values in 0..=15.
    pub fn row_block(&self, row: usize, b: usize) -> [i8; BLOCK] {
        let qb = row / QUAD * self.blocks_per_row() + b;
        let k = row % QUAD;
        let nibbles = &self.nibbles[qb * 64..][..64];
        std::array::from_fn(|i| nibble(nibbles, k, i) as i8)
    }

    pub fn scale(&self, row: usize, b: usize) -> f32 {
        self.scales[(row / QUAD * self.blocks_per_row() + b) * QUAD + row % QUAD]
    }

    pub fn min(&self, row: usize, b: usize) -> f32 {
        self.mins[(row / QUAD * self.blocks_per_row() + b) * QUAD + row % QUAD]
    }

    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        for (b, chunk) in out[..self.cols].chunks_exact_mut(BLOCK).enumerate() {
            let (scale, min) = (self.scale(row, b), self.min(row, b));
            for (o, q) in chunk.iter_mut().zip(self.row_block(row, b)) {
                *o = scale * q as f32 - min;
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.nibbles.len() + 4 * (self.scales.len() + self.mins.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_block_reads_back_as_the_one_row_layout() {
        for rows in [1, 4, 7] {
            let mut rng = crate::rng::Rng::new(rows as u64);
            let values: Vec<i8> = (0..rows * 96).map(|_| rng.below(16) as i8).collect();
            let m = Q4Matrix::from_values(&values, rng.vec(rows * 3, 0.05), rng.vec(rows * 3, 0.1), rows, 96);
            let quads = Q4Quads::from_q4(&m);
            for row in 0..rows {
                for b in 0..3 {
                    assert_eq!(quads.row_block(row, b), m.block(row * 3 + b), "row {row} block {b}");
                    assert_eq!(quads.scale(row, b), m.scales[row * 3 + b]);
                    assert_eq!(quads.min(row, b), m.mins[row * 3 + b]);
                }
                let (mut a, mut want) = (vec![0.0; 96], vec![0.0; 96]);
                quads.dequantize_row(row, &mut a);
                m.dequantize_row(row, &mut want);
                assert_eq!(a, want);
            }
        }
    }
}
