//! `quality: 'best'`: several generations of one summary, and the choice among them.
//!
//! The first generation is the greedy one (what `fast` shows); the others sample with fixed
//! seeds, so a run is repeatable. Each candidate's units pass the same checks as a fast
//! summary's; the candidates are then scored by how much of the article's key sentences their
//! kept units cover, discounted by the share of their units the checks dropped (a generation
//! that invents often is less trustworthy even where it passed). The score is fixed, not fitted
//! to any evaluation set.

use super::terms::terms;
use crate::llm::generate::GenerateOptions;
use crate::llm::sampler::SamplingOptions;
use serde::Serialize;
use std::collections::HashSet;

/// Generations per `best` summary: the greedy one and two samples.
pub const BEST_OF: usize = 3;

/// The sampling of candidate `index` (0 is greedy: `base` unchanged).
pub fn sampling_for(base: &GenerateOptions, index: usize) -> GenerateOptions {
    if index == 0 {
        return base.clone();
    }
    let sampling = SamplingOptions {
        temperature: 0.7,
        top_k: 40,
        top_p: 0.9,
        seed: 0x5eed_0000 + index as u64,
        ..base.sampling.clone()
    };
    GenerateOptions { sampling, ..base.clone() }
}

/// One finished generation: the units the checks kept, and how many they dropped.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    pub units: Vec<String>,
    pub dropped: usize,
}

/// What the result says about a `best` summary.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    /// Per candidate, in generation order (0 = greedy).
    pub scores: Vec<f32>,
    pub chosen: usize,
}

/// Coverage of the key sentences' content terms by the candidate's kept units, times the share
/// of its units that passed the checks. 0 when nothing passed.
pub fn score(candidate: &Candidate, key_terms: &HashSet<String>) -> f32 {
    if candidate.units.is_empty() || key_terms.is_empty() {
        return 0.0;
    }
    let covered: HashSet<String> = candidate.units.iter().flat_map(|u| terms(u)).filter(|t| key_terms.contains(t)).collect();
    let coverage = covered.len() as f32 / key_terms.len() as f32;
    let kept = candidate.units.len() as f32;
    coverage * kept / (kept + candidate.dropped as f32)
}

/// The best-scoring candidate (the earliest on a tie, so greedy wins when nothing is better).
pub fn choose(candidates: &[Candidate], key_sentences: &[String]) -> Choice {
    let key_terms: HashSet<String> = key_sentences.iter().flat_map(|s| terms(s)).collect();
    let scores: Vec<f32> = candidates.iter().map(|c| score(c, &key_terms)).collect();
    let chosen = scores.iter().enumerate().fold(0, |best, (i, &s)| if s > scores[best] { i } else { best });
    Choice { scores, chosen }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(units: &[&str], dropped: usize) -> Candidate {
        Candidate { units: units.iter().map(|u| u.to_string()).collect(), dropped }
    }

    #[test]
    fn the_candidate_covering_more_key_facts_wins_and_drops_cost() {
        let key = ["The council approved a footbridge over the river for 2.3 million dollars.".to_string()];
        let thin = candidate(&["The council met."], 0);
        let full = candidate(&["The council approved a footbridge over the river."], 0);
        let shaky = candidate(&["The council approved a footbridge over the river."], 3);
        let c = choose(&[thin.clone(), full, shaky], &key);
        assert_eq!(c.chosen, 1, "{:?}", c.scores);
        assert!(c.scores[2] < c.scores[1]);
        // Nothing passed anywhere: the greedy candidate stays.
        assert_eq!(choose(&[candidate(&[], 1), candidate(&[], 0)], &key).chosen, 0);
        assert_eq!(choose(&[thin.clone(), thin], &key).chosen, 0);
    }

    #[test]
    fn only_later_candidates_sample_and_their_seeds_differ() {
        let base = GenerateOptions::default();
        assert_eq!(sampling_for(&base, 0).sampling.temperature, base.sampling.temperature);
        let (a, b) = (sampling_for(&base, 1), sampling_for(&base, 2));
        assert!(a.sampling.temperature > 0.0 && a.sampling.seed != b.sampling.seed);
    }
}
