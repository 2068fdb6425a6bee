//! Choosing the next token: greedy, or temperature / top-k / top-p with a seed, after a
//! repetition penalty (llama.cpp's rule: positive logits divided, negative multiplied).

use crate::rng::Rng;

#[derive(Debug, Clone, PartialEq)]
pub struct SamplingOptions {
    /// 0 = greedy (argmax).
    pub temperature: f32,
    /// 0 = no top-k cut.
    pub top_k: usize,
    /// 1.0 = no nucleus cut.
    pub top_p: f32,
    /// 1.0 = off.
    pub repetition_penalty: f32,
    /// How many recent tokens the penalty looks at.
    pub repetition_window: usize,
    pub seed: u64,
}

impl Default for SamplingOptions {
    fn default() -> Self {
        Self { temperature: 0.0, top_k: 40, top_p: 0.95, repetition_penalty: 1.0, repetition_window: 64, seed: 0x9_e377 }
    }
}

pub struct Sampler {
    options: SamplingOptions,
    rng: Rng,
}

impl Sampler {
    pub fn new(options: SamplingOptions) -> Self {
        let rng = Rng::new(options.seed);
        Self { options, rng }
    }

    /// Picks a token from `logits` (modified in place) given the tokens generated so far.
    pub fn sample(&mut self, logits: &mut [f32], history: &[u32]) -> u32 {
        let o = &self.options;
        if o.repetition_penalty != 1.0 {
            let start = history.len().saturating_sub(o.repetition_window);
            let mut seen: Vec<u32> = history[start..].to_vec();
            seen.sort_unstable();
            seen.dedup();
            for t in seen {
                if let Some(l) = logits.get_mut(t as usize) {
                    *l = if *l > 0.0 { *l / o.repetition_penalty } else { *l * o.repetition_penalty };
                }
            }
        }
        if o.temperature <= 0.0 {
            return argmax(logits);
        }
        let mut candidates: Vec<(u32, f32)> = logits.iter().enumerate().map(|(i, &l)| (i as u32, l)).collect();
        candidates.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        if o.top_k > 0 {
            candidates.truncate(o.top_k);
        }
        let max = candidates[0].1;
        let mut probs: Vec<f32> = candidates.iter().map(|&(_, l)| ((l - max) / o.temperature).exp()).collect();
        let sum: f32 = probs.iter().sum();
        probs.iter_mut().for_each(|p| *p /= sum);
        let mut cumulative = 0.0;
        let mut keep = probs.len();
        for (i, p) in probs.iter().enumerate() {
            cumulative += p;
            if cumulative >= o.top_p {
                keep = i + 1;
                break;
            }
        }
        let total: f32 = probs[..keep].iter().sum();
        let mut r = (self.rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32 * total;
        for i in 0..keep {
            r -= probs[i];
            if r <= 0.0 {
                return candidates[i].0;
            }
        }
        candidates[keep - 1].0
    }
}

pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0;
    for (i, &l) in logits.iter().enumerate() {
        if l > logits[best] {
            best = i;
        }
    }
    best as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_is_argmax_and_penalty_can_change_it() {
        let mut s = Sampler::new(SamplingOptions::default());
        assert_eq!(s.sample(&mut [0.1, 2.0, 1.9], &[]), 1);
        let mut s = Sampler::new(SamplingOptions { repetition_penalty: 1.5, ..Default::default() });
        assert_eq!(s.sample(&mut [0.1, 2.0, 1.9], &[1]), 2);
    }

    #[test]
    fn seeded_sampling_is_reproducible_and_respects_top_k() {
        let opts = SamplingOptions { temperature: 1.0, top_k: 2, top_p: 1.0, seed: 42, ..Default::default() };
        let logits = [1.0, 3.0, 2.9, -1.0, 2.8];
        let run = || {
            let mut s = Sampler::new(opts.clone());
            (0..50).map(|_| s.sample(&mut logits.clone(), &[])).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        assert!(a.iter().all(|&t| t == 1 || t == 2), "{a:?}");
        assert!(a.contains(&1) && a.contains(&2));
    }

    #[test]
    fn tiny_top_p_is_greedy() {
        let mut s = Sampler::new(SamplingOptions { temperature: 0.8, top_p: 0.01, ..Default::default() });
        for _ in 0..20 {
            assert_eq!(s.sample(&mut [0.0, 5.0, 4.0], &[]), 1);
        }
    }
}
