//! Long articles are cut down to a token budget before they reach the LLM: prefill time grows
//! with the prompt, so the extractive ranking picks the sentences that carry the article and
//! they are passed on in their original order.

use super::{rank, Language, Prepared};
use crate::tokenizer::Tokenizer;

pub struct Compressed {
    pub text: String,
    /// Tokens of `text`.
    pub tokens: usize,
    /// Sentences kept out of the input's.
    pub kept: usize,
    pub total: usize,
}

pub fn to_budget(prepared: &Prepared, tokenizer: &Tokenizer, budget: usize) -> Compressed {
    let total = prepared.sentences.len();
    let whole = tokenizer.encode(&prepared.text, false).len();
    if whole <= budget {
        return Compressed { text: prepared.text.clone(), tokens: whole, kept: total, total };
    }
    let candidates = super::candidates(prepared);
    let scores = rank::scores(&candidates);
    let mut order: Vec<usize> = (0..total).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut keep = vec![false; total];
    let mut used = 0;
    for i in order {
        let cost = tokenizer.encode(&prepared.sentences[i], false).len() + 1;
        if used + cost <= budget {
            keep[i] = true;
            used += cost;
        }
    }
    if !keep.iter().any(|&k| k) {
        // Even the best sentence is over budget: keep its beginning.
        let best = &prepared.sentences[0];
        let ids = tokenizer.encode(best, false);
        let text = tokenizer.decode(&ids[..budget.min(ids.len())]);
        return Compressed { tokens: budget.min(ids.len()), text, kept: 1, total };
    }
    let separator = if prepared.language == Language::Zh { "" } else { " " };
    let text = prepared.sentences.iter().zip(&keep).filter(|(_, &k)| k).map(|(s, _)| s.as_str()).collect::<Vec<_>>().join(separator);
    Compressed { tokens: used, kept: keep.iter().filter(|&&k| k).count(), text, total }
}
