//! Q6_K weights with four rows interleaved per 32-block, as `Q5Quads` does for Q5_0: the layout
//! the relaxed-SIMD build holds packed Q6_K in (the FFN-down matrices' half in Q6_K). One weight
//! vector holds four consecutive values of each of four rows, so each lane group of a relaxed
//! dot is one row and the rows' sums stay in the i32 lanes.
//!
//! Per quad `q` (rows 4q..4q + 4) and block `b`, at `qb = q · blocks_per_row + b`:
//! - `nibbles[64 qb..]`: the low four bits, placed exactly as `Q5Quads::nibbles` (weight vector
//!   v = 0..8 holds, in lane 4k + m, row k's value 4v + m);
//! - `crumbs[32 qb..]`: the high two bits, two planes of 16 bytes: bits 2j, 2j + 1 of byte
//!   4k + m of plane p are those of row k's value 4v + m, v = 4p + j;
//! - `sub_scales[8 qb..]`: the int8 scales of the block's two halves, half 0 of rows 0..4 then
//!   half 1;
//! - `d[4 · (q · supers_per_row + b / 8)..]`: the four rows' super-block `d`.
//!
//! Value = d · scale · (q − 32), q in 0..=63, exactly GGUF's Q6_K; a kernel forms `d · scale` in
//! f32 as `Q6Matrix::scales` does, so the products keep the one-row layout's bits. 26.5 bytes
//! per 32 weights, as `Q6Matrix`. Rows are padded to a multiple of four with zeros.

use super::q5_0_quads::QUAD;
use super::q6_k::{Q6Matrix, BLOCKS_PER_SUPER};
use super::quant::BLOCK;

#[derive(Debug, Clone, Default)]
pub struct Q6Quads {
    pub rows: usize,
    pub cols: usize,
    pub nibbles: Vec<u8>,
    pub crumbs: Vec<u8>,
    pub sub_scales: Vec<i8>,
    pub d: Vec<f32>,
}

impl Q6Quads {
    pub fn blocks_per_row(&self) -> usize {
        self.cols / BLOCK
    }

    fn supers_per_row(&self) -> usize {
        self.cols / (BLOCK * BLOCKS_PER_SUPER)
    }

    /// The same weights from the one-row layout (Q6_K matrices are small: the loader converts
    /// each as it arrives). Rows must start on a super-block (cols a multiple of 256, as GGUF's).
    pub fn from_q6(m: &Q6Matrix) -> Self {
        assert_eq!(m.cols % (BLOCK * BLOCKS_PER_SUPER), 0, "Q6_K rows are whole super-blocks");
        let bpr = m.blocks_per_row();
        let quads = m.rows.div_ceil(QUAD);
        let supers = m.cols / (BLOCK * BLOCKS_PER_SUPER);
        let mut out = Self {
            rows: m.rows,
            cols: m.cols,
            nibbles: vec![0; quads * bpr * 64],
            crumbs: vec![0; quads * bpr * 32],
            sub_scales: vec![0; quads * bpr * 8],
            d: vec![0.0; quads * supers * QUAD],
        };
        for row in 0..m.rows {
            let (q, k) = (row / QUAD, row % QUAD);
            for s in 0..supers {
                out.d[(q * supers + s) * QUAD + k] = m.d[row * supers + s];
            }
            for b in 0..bpr {
                let (idx, qb) = (row * bpr + b, q * bpr + b);
                out.sub_scales[qb * 8 + k] = m.sub_scales[2 * idx];
                out.sub_scales[qb * 8 + 4 + k] = m.sub_scales[2 * idx + 1];
                // Lane 4k + m of vector v holds value 4v + m: its low nibble and its high crumb.
                let values = m.block(idx).map(|v| (v + 32) as u8);
                for m4 in 0..4 {
                    let (lane, value) = (4 * k + m4, |v: usize| values[4 * v + m4]);
                    for u in 0..4 {
                        out.nibbles[qb * 64 + 16 * u + lane] = (value(u) & 0x0f) | (value(u + 4) & 0x0f) << 4;
                    }
                    for p in 0..2 {
                        out.crumbs[qb * 32 + 16 * p + lane] = (0..4).map(|j| (value(4 * p + j) >> 4) << (2 * j)).sum();
                    }
                }
            }
        }
        out
    }

    /// Row `row`'s block `b` as 32 signed values (q − 32).
    pub fn row_block(&self, row: usize, b: usize) -> [i8; BLOCK] {
        let qb = row / QUAD * self.blocks_per_row() + b;
        let k = row % QUAD;
        let (nibbles, crumbs) = (&self.nibbles[qb * 64..][..64], &self.crumbs[qb * 32..][..32]);
        std::array::from_fn(|i| {
            let (v, lane) = (i / 4, 4 * k + i % 4);
            let byte = nibbles[16 * (v % 4) + lane];
            let nibble = if v >= 4 { byte >> 4 } else { byte & 0x0f };
            let crumb = (crumbs[16 * (v / 4) + lane] >> (2 * (v % 4))) & 3;
            (nibble | crumb << 4) as i8 - 32
        })
    }

    /// Row `row`'s block `b`: the scales of its two halves, `d · scale` (`Q6Matrix::scales`).
    pub fn scales(&self, row: usize, b: usize) -> [f32; 2] {
        let (q, k) = (row / QUAD, row % QUAD);
        let qb = q * self.blocks_per_row() + b;
        let d = self.d[(q * self.supers_per_row() + b / BLOCKS_PER_SUPER) * QUAD + k];
        [d * self.sub_scales[qb * 8 + k] as f32, d * self.sub_scales[qb * 8 + 4 + k] as f32]
    }

    /// Where quad `q`'s four `d`s for block `b` are in `d`.
    #[inline(always)]
    pub fn d_at(&self, q: usize, b: usize) -> usize {
        (q * self.supers_per_row() + b / BLOCKS_PER_SUPER) * QUAD
    }

    pub fn dequantize_row(&self, row: usize, out: &mut [f32]) {
        for (b, chunk) in out[..self.cols].chunks_exact_mut(BLOCK).enumerate() {
            let scales = self.scales(row, b);
            for (j, (o, q)) in chunk.iter_mut().zip(self.row_block(row, b)).enumerate() {
                *o = scales[j / 16] * q as f32;
            }
        }
    }

    pub fn bytes(&self) -> usize {
        self.nibbles.len() + self.crumbs.len() + self.sub_scales.len() + 4 * self.d.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_block_reads_back_as_the_one_row_layout() {
        for rows in [1, 4, 6] {
            let mut rng = crate::rng::Rng::new(rows as u64);
            let m = crate::kernels::check::random_q6(&mut rng, rows, 512);
            let quads = Q6Quads::from_q6(&m);
            for row in 0..rows {
                for b in 0..16 {
                    assert_eq!(quads.row_block(row, b), m.block(row * 16 + b), "row {row} block {b}");
                    assert_eq!(quads.scales(row, b), m.scales(row * 16 + b));
                }
                let (mut a, mut want) = (vec![0.0; 512], vec![0.0; 512]);
                quads.dequantize_row(row, &mut a);
                m.dequantize_row(row, &mut want);
                assert_eq!(a, want);
            }
        }
    }
}
