//! Byte-level BPE: a piece's bytes start as one symbol each and the adjacent pair with the
//! lowest merge rank is merged until no pair has a rank (ties: the leftmost pair first, as in
//! llama.cpp and Hugging Face). Symbols are token ids, so a merge is one hash lookup.

use super::hash::FastMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Merge table: `(left id, right id)` → `(rank, merged id)`.
pub(super) struct Merges {
    table: FastMap<u64, (u32, u32)>,
    /// The token of each single byte.
    byte_ids: [u32; 256],
}

impl Merges {
    pub(super) fn new(byte_ids: [u32; 256]) -> Self {
        Self { table: FastMap::default(), byte_ids }
    }

    /// Adds a merge unless the pair already has one (the first, lowest rank wins).
    pub(super) fn insert(&mut self, left: u32, right: u32, rank: u32, merged: u32) {
        self.table.entry(key(left, right)).or_insert((rank, merged));
    }

    pub(super) fn len(&self) -> usize {
        self.table.len()
    }

    fn get(&self, left: u32, right: u32) -> Option<(u32, u32)> {
        self.table.get(&key(left, right)).copied()
    }

    /// Appends the tokens of one pre-tokenized piece to `out`.
    pub(super) fn encode_piece(&self, bytes: &[u8], out: &mut Vec<u32>) {
        match bytes {
            [] => {}
            [b] => out.push(self.byte_ids[*b as usize]),
            _ => self.merge(bytes, out),
        }
    }

    fn merge(&self, bytes: &[u8], out: &mut Vec<u32>) {
        const NONE: u32 = u32::MAX;
        // A doubly linked list of symbols; a merged-away symbol keeps `id == NONE`.
        let mut ids: Vec<u32> = bytes.iter().map(|&b| self.byte_ids[b as usize]).collect();
        let mut prev: Vec<u32> = (0..bytes.len() as u32).map(|i| i.wrapping_sub(1)).collect();
        let mut next: Vec<u32> = (1..=bytes.len() as u32).collect();
        next[bytes.len() - 1] = NONE;

        // Candidates ordered by (rank, left position); stale ones are skipped when popped.
        let mut heap = BinaryHeap::with_capacity(bytes.len());
        let push = |heap: &mut BinaryHeap<_>, ids: &[u32], left: u32, right: u32| {
            if left != NONE && right != NONE {
                if let Some((rank, merged)) = self.get(ids[left as usize], ids[right as usize]) {
                    heap.push(Reverse((rank, left, right, ids[right as usize], merged)));
                }
            }
        };
        for i in 1..bytes.len() as u32 {
            push(&mut heap, &ids, i - 1, i);
        }
        // An entry is stale once its left symbol was merged away, or has grown (then
        // `next[left]` has moved on), or its right symbol has grown (a different id).
        while let Some(Reverse((_, left, right, right_id, merged))) = heap.pop() {
            let (l, r) = (left as usize, right as usize);
            if next[l] != right || ids[r] != right_id || ids[l] == NONE {
                continue;
            }
            ids[l] = merged;
            ids[r] = NONE;
            next[l] = next[r];
            if next[l] != NONE {
                prev[next[l] as usize] = left;
            }
            push(&mut heap, &ids, prev[l], left);
            push(&mut heap, &ids, left, next[l]);
        }
        out.extend(ids.into_iter().filter(|&id| id != NONE));
    }
}

fn key(left: u32, right: u32) -> u64 {
    (left as u64) << 32 | right as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy vocabulary: bytes are their own ids, merged tokens get ids from 256.
    fn toy(merges: &[(u32, u32)]) -> Merges {
        let mut byte_ids = [0u32; 256];
        for (b, id) in byte_ids.iter_mut().enumerate() {
            *id = b as u32;
        }
        let mut m = Merges::new(byte_ids);
        for (rank, &(l, r)) in merges.iter().enumerate() {
            m.insert(l, r, rank as u32, 256 + rank as u32);
        }
        m
    }

    fn encode(m: &Merges, s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        m.encode_piece(s.as_bytes(), &mut out);
        out
    }

    #[test]
    fn lowest_rank_first_then_leftmost() {
        let a = b'a' as u32;
        let b = b'b' as u32;
        // rank 0: "a a" -> 256; rank 1: "aa b" -> 257
        let m = toy(&[(a, a), (256, b)]);
        assert_eq!(encode(&m, "aaa"), [256, a]);
        assert_eq!(encode(&m, "aaaa"), [256, 256]);
        assert_eq!(encode(&m, "aab"), [257]);
        assert_eq!(encode(&m, "ab"), [a, b]);
        assert_eq!(encode(&m, "a"), [a]);
        assert_eq!(encode(&m, ""), Vec::<u32>::new());
    }

    #[test]
    fn a_later_merge_wins_over_an_earlier_position() {
        let (a, b, c) = (b'a' as u32, b'b' as u32, b'c' as u32);
        // rank 0: "b c"; rank 1: "a b" — "abc" must become a + bc.
        let m = toy(&[(b, c), (a, b)]);
        assert_eq!(encode(&m, "abc"), [a, 256]);
    }
}
