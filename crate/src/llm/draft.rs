//! Prompt-lookup drafts: summaries, translations and descriptions copy many token runs from
//! their input, so the tokens that followed the last occurrence of the current n-gram are a
//! cheap guess of what comes next. The guess is only a draft: `Generation` verifies it in one
//! batched forward pass and keeps exactly the tokens greedy decoding would have produced.

/// Longest n-gram (ending at the newest token) looked up in the history.
const MAX_NGRAM: usize = 3;

/// How much to draft, and on how much evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftPolicy {
    /// Draft tokens per verifying pass (0 = one-token decoding).
    pub max_tokens: usize,
    /// Shortest n-gram match that is worth a draft: a one-token match ("的", ",") predicts
    /// little, and a rejected draft costs a pass almost twice a one-token one.
    pub min_ngram: usize,
    /// After a pass that confirmed none of its draft, draft again only on a full-length
    /// n-gram match: text that is not being copied stops paying for verification.
    pub back_off: bool,
}

impl Default for DraftPolicy {
    /// Three drafted tokens make a batch of four: the matmul kernels' token tile, so each
    /// weight block is read once for the whole batch. min_ngram 2: chosen on the tune split
    /// (`./qy bench lookup --split tune --draft 3:1,3:2,3:3`).
    fn default() -> Self {
        Self { max_tokens: 3, min_ngram: 2, back_off: false }
    }
}

impl DraftPolicy {
    pub const OFF: DraftPolicy = DraftPolicy { max_tokens: 0, min_ngram: 1, back_off: false };

    /// "K", "K:N" or "K:N:b" (K draft tokens on n-gram matches of at least N tokens; b: back
    /// off after a pass that confirmed nothing).
    pub fn parse(spec: &str) -> Option<DraftPolicy> {
        let mut parts = spec.split(':').map(str::trim);
        let max_tokens = parts.next()?.parse().ok()?;
        let min_ngram = match parts.next() {
            Some(n) => n.parse().ok()?,
            None => DraftPolicy::default().min_ngram,
        };
        let back_off = match parts.next() {
            None => DraftPolicy::default().back_off,
            Some("b") => true,
            Some(_) => return None,
        };
        let policy = DraftPolicy { max_tokens, min_ngram, back_off };
        (parts.next().is_none() && (1..=MAX_NGRAM).contains(&min_ngram)).then_some(policy)
    }

    /// The `parse` form.
    pub fn label(&self) -> String {
        format!("{}:{}{}", self.max_tokens, self.min_ngram, if self.back_off { ":b" } else { "" })
    }

    /// The policy for the next draft, given whether the last pass confirmed nothing.
    pub fn after(&self, missed: bool) -> DraftPolicy {
        if self.back_off && missed {
            DraftPolicy { min_ngram: MAX_NGRAM, ..*self }
        } else {
            *self
        }
    }
}

/// Up to `policy.max_tokens` tokens that followed the most recent earlier occurrence of the
/// history's final n-gram (longest n-gram first). Empty when nothing matches.
pub fn lookup(history: &[u32], policy: DraftPolicy) -> Vec<u32> {
    let max = policy.max_tokens;
    if max == 0 {
        return Vec::new();
    }
    for n in (policy.min_ngram.max(1)..=MAX_NGRAM).rev() {
        if history.len() <= n {
            continue;
        }
        let tail = &history[history.len() - n..];
        // Newest match first: it is the likeliest continuation of what is being copied now.
        for start in (0..history.len() - n).rev() {
            if &history[start..start + n] == tail {
                let from = start + n;
                let to = (from + max).min(history.len());
                return history[from..to].to_vec();
            }
        }
    }
    Vec::new()
}

/// Counts over a generation: how many draft tokens were proposed, how many verification
/// passes ran them, and how many the model confirmed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DraftStats {
    pub drafted: usize,
    pub accepted: usize,
    /// Forward passes that carried a draft.
    pub verifications: usize,
}

impl DraftStats {
    pub fn add(&mut self, other: DraftStats) {
        self.drafted += other.drafted;
        self.accepted += other.accepted;
        self.verifications += other.verifications;
    }

    pub fn since(&self, earlier: DraftStats) -> DraftStats {
        DraftStats {
            drafted: self.drafted - earlier.drafted,
            accepted: self.accepted - earlier.accepted,
            verifications: self.verifications - earlier.verifications,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continues_the_newest_occurrence_of_the_longest_ngram() {
        // "1 2 3 9 9" earlier, then "7 2 3 4 5", and now the history ends in "2 3".
        let h = [1, 2, 3, 9, 9, 7, 2, 3, 4, 5, 6, 2, 3];
        let k = |max_tokens| DraftPolicy { max_tokens, min_ngram: 1, back_off: false };
        assert_eq!(lookup(&h, k(3)), vec![4, 5, 6]);
        assert_eq!(lookup(&h, k(1)), vec![4]);
        assert_eq!(lookup(&h, k(0)), Vec::<u32>::new());
        assert_eq!(lookup(&h, DraftPolicy { min_ngram: 2, ..k(3) }), vec![4, 5, 6]);
        assert!(lookup(&h, DraftPolicy { min_ngram: 3, ..k(3) }).is_empty());
    }

    #[test]
    fn falls_back_to_shorter_ngrams_and_stops_at_the_end() {
        let k4 = DraftPolicy { max_tokens: 4, min_ngram: 1, back_off: false };
        assert_eq!(lookup(&[5, 8, 1, 8], k4), vec![1, 8]);
        assert!(lookup(&[5, 8, 1, 8], DraftPolicy { min_ngram: 2, ..k4 }).is_empty());
        assert!(lookup(&[1, 2, 3], k4).is_empty());
        assert!(lookup(&[], k4).is_empty());
        assert!(lookup(&[7], k4).is_empty());
    }

    #[test]
    fn policies_parse_from_k_or_k_colon_n() {
        assert_eq!(DraftPolicy::parse("3"), Some(DraftPolicy::default()));
        assert_eq!(DraftPolicy::parse("0").map(|p| p.max_tokens), Some(0));
        let p = |max_tokens, min_ngram, back_off| Some(DraftPolicy { max_tokens, min_ngram, back_off });
        assert_eq!(DraftPolicy::parse("3:1"), p(3, 1, false));
        assert_eq!(DraftPolicy::parse("7:2:b"), p(7, 2, true));
        assert_eq!(DraftPolicy::parse("7:2:b").unwrap().label(), "7:2:b");
        assert_eq!(DraftPolicy::parse("3:0"), None);
        assert_eq!(DraftPolicy::parse("3:2:x"), None);
        assert_eq!(DraftPolicy::parse("x"), None);
    }

    #[test]
    fn back_off_asks_for_a_full_match_after_a_miss() {
        let policy = DraftPolicy { max_tokens: 3, min_ngram: 2, back_off: true };
        assert_eq!(policy.after(true).min_ngram, MAX_NGRAM);
        assert_eq!(policy.after(false), policy);
        let plain = DraftPolicy { back_off: false, ..policy };
        assert_eq!(plain.after(true), plain);
    }
}
