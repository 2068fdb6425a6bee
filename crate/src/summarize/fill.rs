//! Filling a summary the checks left short: when the model's sentences (or their
//! translations) were dropped and fewer than the requested count remain, the article's next key
//! sentences make up the count — verbatim in the article's language, translated and checked like
//! any other unit across languages. A key sentence that mostly repeats what the summary already
//! says is skipped.

use super::terms::terms;
use std::collections::HashSet;

/// A key sentence whose content terms are at least this share in the kept units already says
/// nothing new (fixed before any run, not fitted).
pub const REPEATS_SHARE: f32 = 0.5;
/// Across languages a fill sentence may fail its translation check too: this many more are
/// tried than are missing (each costs a translation).
pub const EXTRA_TRIES: usize = 2;

/// From `ranked` key sentences (best first), those not in `used` that add to `kept`, best
/// first; each one taken counts as kept for the next.
pub fn candidates(ranked: Vec<String>, used: &[String], kept: &[String]) -> Vec<String> {
    let mut said: HashSet<String> = kept.iter().flat_map(|u| terms(u)).collect();
    let mut out = Vec::new();
    for sentence in ranked {
        if used.contains(&sentence) || kept.contains(&sentence) {
            continue;
        }
        let own: HashSet<String> = terms(&sentence).into_iter().collect();
        if own.is_empty() {
            continue;
        }
        let repeated = own.iter().filter(|t| said.contains(*t)).count() as f32 / own.len() as f32;
        if repeated >= REPEATS_SHARE {
            continue;
        }
        said.extend(own);
        out.push(sentence);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn new_sentences_best_first_repeats_and_used_ones_skipped() {
        let ranked = s(&[
            "The council approved the footbridge over the Mill River.",
            "Construction starts in May 2026 and ends in spring 2027.",
            "A state grant covers 60% of the cost.",
            "The grant covers most of the cost of the footbridge.",
        ]);
        let kept = s(&["The council approved a footbridge across the Mill River on Monday."]);
        let used = s(&["A state grant covers 60% of the cost."]);
        assert_eq!(candidates(ranked, &used, &kept), s(&["Construction starts in May 2026 and ends in spring 2027.", "The grant covers most of the cost of the footbridge."]));
    }

    #[test]
    fn a_taken_sentence_counts_as_said() {
        let ranked = s(&["青溪镇开通了首条社区公交线路。", "青溪镇首条社区公交线路开通。", "线路全长12公里，设有18个站点。"]);
        let out = candidates(ranked, &[], &[]);
        assert_eq!(out, s(&["青溪镇开通了首条社区公交线路。", "线路全长12公里，设有18个站点。"]));
    }
}
