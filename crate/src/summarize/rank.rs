//! Extractive ranking: TextRank over TF-IDF cosine similarity between sentences, a position
//! prior for news leads, a length prior, and MMR selection so near-duplicates are not both
//! picked.

use std::collections::HashMap;

/// Sparse TF-IDF vector, L2-normalized.
type Vector = HashMap<String, f32>;

const DAMPING: f32 = 0.85;
const ITERATIONS: usize = 40;
/// MMR trade-off between importance and novelty.
const REDUNDANCY_WEIGHT: f32 = 0.7;
/// Above this cosine a candidate repeats an already chosen sentence.
const DUPLICATE_COSINE: f32 = 0.7;

pub struct Candidate<'a> {
    pub text: &'a str,
    pub terms: Vec<String>,
    /// Content length in "units": Han characters count 1, English words 2.
    pub units: usize,
}

fn vectors(candidates: &[Candidate]) -> Vec<Vector> {
    let n = candidates.len() as f32;
    let mut df: HashMap<&str, f32> = HashMap::new();
    for c in candidates {
        let mut seen: Vec<&str> = c.terms.iter().map(String::as_str).collect();
        seen.sort_unstable();
        seen.dedup();
        for t in seen {
            *df.entry(t).or_default() += 1.0;
        }
    }
    candidates
        .iter()
        .map(|c| {
            let mut tf: HashMap<&str, f32> = HashMap::new();
            for t in &c.terms {
                *tf.entry(t).or_default() += 1.0;
            }
            let mut v: Vector = tf
                .into_iter()
                .map(|(t, f)| {
                    let idf = (1.0 + (n - df[t] + 0.5) / (df[t] + 0.5)).ln();
                    (t.to_string(), (1.0 + f.ln()) * idf)
                })
                .collect();
            let norm = v.values().map(|w| w * w).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.values_mut().for_each(|w| *w /= norm);
            }
            v
        })
        .collect()
}

fn cosine(a: &Vector, b: &Vector) -> f32 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().filter_map(|(t, w)| large.get(t).map(|u| w * u)).sum()
}

/// Importance of each candidate (sums to ~1), before selection.
pub fn scores(candidates: &[Candidate]) -> Vec<f32> {
    let n = candidates.len();
    if n == 0 {
        return Vec::new();
    }
    let vecs = vectors(candidates);
    let sim: Vec<Vec<f32>> = (0..n).map(|i| (0..n).map(|j| if i == j { 0.0 } else { cosine(&vecs[i], &vecs[j]) }).collect()).collect();
    let out_weight: Vec<f32> = sim.iter().map(|row| row.iter().sum()).collect();
    let mut rank = vec![1.0 / n as f32; n];
    for _ in 0..ITERATIONS {
        let next: Vec<f32> = (0..n)
            .map(|i| {
                let inflow: f32 = (0..n).filter(|&j| out_weight[j] > 0.0).map(|j| sim[j][i] / out_weight[j] * rank[j]).sum();
                (1.0 - DAMPING) / n as f32 + DAMPING * inflow
            })
            .collect();
        rank = next;
    }
    (0..n)
        .map(|i| {
            // News put the key facts first; a soft prior, strongest for the first sentences.
            let position = 1.0 + 0.6 * (-(i as f32) / 3.0).exp();
            // Very short fragments and run-on sentences make poor bullets.
            let units = candidates[i].units as f32;
            let length = if units < 8.0 { 0.5 } else if units > 120.0 { 0.8 } else { 1.0 };
            // Key points are facts: figures, dates and amounts mark the sentences that carry
            // them (a feature's scene-setting lead has none).
            let figures = figure_count(candidates[i].text).min(4) as f32;
            let facts = 1.0 + FIGURE_WEIGHT * figures;
            rank[i] * position * length * facts
        })
        .collect()
}

/// Boost per figure (number group) in a sentence, up to four.
const FIGURE_WEIGHT: f32 = 0.25;

/// Groups of digits in `text` ("2026年3月2日" has three, "11.6" one).
fn figure_count(text: &str) -> usize {
    let mut count = 0;
    let mut in_number = false;
    for c in text.chars() {
        let digit = c.is_ascii_digit() || ('０'..='９').contains(&c);
        if digit && !in_number {
            count += 1;
        }
        in_number = digit || (in_number && matches!(c, '.' | ','));
    }
    count
}

/// Picks up to `k` indices by maximal marginal relevance; returned in text order.
pub fn select(candidates: &[Candidate], k: usize) -> Vec<usize> {
    let mut chosen = select_ranked(candidates, k);
    chosen.sort_unstable();
    chosen
}

/// As [`select`], in the order picked (best first): the first `k` of `select_ranked(c, k + n)`
/// are `select(c, k)`'s.
pub fn select_ranked(candidates: &[Candidate], k: usize) -> Vec<usize> {
    let importance = scores(candidates);
    let vecs = vectors(candidates);
    let max = importance.iter().copied().fold(f32::MIN_POSITIVE, f32::max);
    let mut chosen: Vec<usize> = Vec::new();
    while chosen.len() < k {
        let best = (0..candidates.len())
            .filter(|i| !chosen.contains(i))
            .filter_map(|i| {
                let overlap = chosen.iter().map(|&j| cosine(&vecs[i], &vecs[j])).fold(0.0, f32::max);
                (overlap < DUPLICATE_COSINE).then(|| (i, importance[i] / max - REDUNDANCY_WEIGHT * overlap))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, _)) => chosen.push(i),
            None => break,
        }
    }
    chosen
}
