//! Per-layer key/value cache, f32, sized once for the context the caller asked for.

pub struct KvCache {
    /// Positions stored so far.
    pub len: usize,
    pub capacity: usize,
    kv_dim: usize,
    keys: Vec<Vec<f32>>,
    values: Vec<Vec<f32>>,
}

impl KvCache {
    pub fn new(n_layer: usize, kv_dim: usize, capacity: usize) -> Self {
        Self {
            len: 0,
            capacity,
            kv_dim,
            keys: (0..n_layer).map(|_| vec![0.0; capacity * kv_dim]).collect(),
            values: (0..n_layer).map(|_| vec![0.0; capacity * kv_dim]).collect(),
        }
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Forgets every position from `len` on (to reuse a shared prompt prefix).
    pub fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }

    pub fn bytes(&self) -> usize {
        2 * self.keys.len() * self.capacity * self.kv_dim * 4
    }

    pub fn store(&mut self, layer: usize, pos: usize, k: &[f32], v: &[f32]) {
        let at = pos * self.kv_dim;
        self.keys[layer][at..at + self.kv_dim].copy_from_slice(k);
        self.values[layer][at..at + self.kv_dim].copy_from_slice(v);
    }

    /// One head's keys of `layer`: position p's at `[p · stride..][..head_dim]`, with the stride.
    pub fn head_keys(&self, layer: usize, head: usize, head_dim: usize) -> (&[f32], usize) {
        (&self.keys[layer][head * head_dim..], self.kv_dim)
    }

    /// One head's values of `layer`, laid out as `head_keys`.
    pub fn head_values(&self, layer: usize, head: usize, head_dim: usize) -> (&[f32], usize) {
        (&self.values[layer][head * head_dim..], self.kv_dim)
    }
}
