//! Decoding constraints that do not depend on the model: which tokens may be generated at all
//! (a script mask: no Han in English output, no stray Latin words in Chinese output), and a
//! copy bias towards spans the output must contain (a translation's names and numbers).
//!
//! Built once per request from the tokenizer's vocabulary (~150k tokens, a few milliseconds)
//! and applied to the logits before sampling.
//!
//! In Chinese output the token mask alone cannot keep Latin to whole names: a token's letters
//! only have to be part of an allowed name, so "park" (of "Lindell Park") or "to" could be
//! written as English words. A word rule follows the Latin word being written across tokens and
//! lets it only grow into an allowed word and end there, as the translation check reads words.

use crate::tokenizer::Tokenizer;
use std::ops::Range;

/// What the output must look like, in scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// English: no Han characters, no CJK punctuation or full-width forms.
    Latin,
    /// Chinese: ASCII letters only inside names the source has (`allowed_latin`).
    Han,
}

#[derive(Debug, Clone, Default)]
pub struct Constraints {
    /// Per token id: may not be generated. Empty = no mask.
    banned: Vec<bool>,
    /// The token ids not banned, as runs (the output head computes only these rows); the
    /// last run is open-ended, as ids past the mask (the model's padding rows) are not banned.
    allowed_rows: Vec<Range<usize>>,
    copy: Vec<CopySpan>,
    /// Chinese output: Latin words only whole and allowed.
    latin_words: Option<LatinWords>,
}

/// The Latin words a Chinese output may contain, and the tokens that can write them.
/// A word is a run of ASCII letters and digits holding a letter, as `latin_words` in the
/// translation check splits text; single letters ("A股") are always fine.
#[derive(Debug, Clone, Default)]
struct LatinWords {
    /// Allowed words as written; a capitalized word may also match one in another case.
    words: Vec<String>,
    /// Tokens the mask lets through that hold a letter or digit: (id, bytes), by id.
    tokens: Vec<(u32, Vec<u8>)>,
}

/// Token spans the output should contain, each in every tokenization it may take.
#[derive(Debug, Clone)]
struct CopySpan {
    variants: Vec<Vec<u32>>,
    /// Also favour its first token while it is not yet in the output (names; not numbers,
    /// whose first digit would be favoured everywhere).
    start: bool,
}

/// Logit bonuses of the copy bias: finishing a span once begun, and beginning a name. Fixed
/// before any run, not fitted: meant to tip a near tie ("North|vale" vs 南) and leave a
/// confident choice alone.
const CONTINUE_BONUS: f32 = 3.0;
const START_BONUS: f32 = 1.5;

impl Constraints {
    /// A script mask for `script`. `allowed_latin`: Latin strings (names such as "Mate 80",
    /// "Kestrel") a Chinese output may contain; a token's letters must be part of one of them.
    pub fn for_script(tokenizer: &Tokenizer, script: Script, allowed_latin: &[String]) -> Self {
        let allowed: Vec<String> = allowed_latin.iter().map(|s| s.to_lowercase()).collect();
        let banned = (0..tokenizer.vocab_size() as u32)
            .map(|id| {
                if tokenizer.is_eog(id) {
                    return false;
                }
                let bytes = tokenizer.token_bytes(id);
                has_other_script_bytes(bytes)
                    || match script {
                        Script::Latin => has_cjk_bytes(bytes),
                        Script::Han => latin_runs(bytes).any(|run| !allowed.iter().any(|a| a.contains(&run))),
                    }
            })
            .collect::<Vec<bool>>();
        let latin_words = (script == Script::Han).then(|| LatinWords {
            words: allowed_latin.iter().flat_map(|a| word_runs(a.as_bytes())).filter(|w| has_letter(w)).map(|w| w.to_string()).collect(),
            tokens: (0..tokenizer.vocab_size() as u32)
                .filter(|&id| !banned[id as usize] && !tokenizer.is_eog(id))
                .map(|id| (id, tokenizer.token_bytes(id)))
                .filter(|(_, b)| b.iter().any(u8::is_ascii_alphanumeric))
                .map(|(id, b)| (id, b.to_vec()))
                .collect(),
        });
        let allowed_rows = runs_of_false(&banned);
        Self { banned, allowed_rows, copy: Vec::new(), latin_words }
    }

    /// The token ids that may be generated, as sorted runs; `None` without a mask. The logits
    /// of every other token are −∞ after `apply`, so the output head need not compute them.
    pub fn allowed_rows(&self) -> Option<&[Range<usize>]> {
        (!self.banned.is_empty()).then_some(self.allowed_rows.as_slice())
    }

    /// Favours writing `text` (a name or number the output must contain): its tokens as the
    /// tokenizer splits it alone and after a space. `start`: also favour beginning it.
    pub fn copy_span(&mut self, tokenizer: &Tokenizer, text: &str, start: bool) {
        let mut variants: Vec<Vec<u32>> = [text.to_string(), format!(" {text}")].iter().map(|t| tokenizer.encode(t, false)).filter(|v| !v.is_empty()).collect();
        variants.dedup();
        if !variants.is_empty() {
            self.copy.push(CopySpan { variants, start });
        }
    }

    /// Applies the mask, then the copy bias given the tokens generated so far.
    pub fn apply_after(&self, logits: &mut [f32], generated: &[u32]) {
        for span in &self.copy {
            let written = span.variants.iter().any(|v| generated.windows(v.len()).any(|w| w == v.as_slice()));
            if written {
                continue;
            }
            for v in &span.variants {
                // The longest begun prefix of this spelling at the end of the output.
                let begun = (1..v.len()).rev().find(|&k| generated.ends_with(&v[..k]));
                match begun {
                    Some(k) => bump(logits, v[k], CONTINUE_BONUS),
                    None if span.start => bump(logits, v[0], START_BONUS),
                    None => {}
                }
            }
        }
        self.apply(logits);
        if let Some(words) = &self.latin_words {
            words.apply(logits, generated);
        }
    }

    /// Also bans every token whose text contains one of `chars` (a headline's colon). A mask
    /// built with `Default` (no mask) becomes one.
    pub fn ban_chars(&mut self, tokenizer: &Tokenizer, chars: &[char]) {
        let size = tokenizer.vocab_size();
        self.banned.resize(size, false);
        for (id, banned) in self.banned.iter_mut().enumerate() {
            let bytes = tokenizer.token_bytes(id as u32);
            if !*banned && !tokenizer.is_eog(id as u32) && chars.iter().any(|c| contains_char(bytes, *c)) {
                *banned = true;
            }
        }
        self.allowed_rows = runs_of_false(&self.banned);
    }

    pub fn is_banned(&self, id: u32) -> bool {
        self.banned.get(id as usize).copied().unwrap_or(false)
    }

    /// Applies the mask to `logits`.
    pub fn apply(&self, logits: &mut [f32]) {
        for (l, &b) in logits.iter_mut().zip(&self.banned) {
            if b {
                *l = f32::NEG_INFINITY;
            }
        }
    }
}

impl LatinWords {
    /// Whether `word` (letters and digits) may stand in the output as a whole word.
    fn complete(&self, word: &str) -> bool {
        word.len() <= 1 || !has_letter(word) || self.words.iter().any(|w| w == word || (is_capitalized(word) && w.eq_ignore_ascii_case(word)))
    }

    /// Whether `word` can still grow into an allowed word (or is one).
    fn prefix(&self, word: &str) -> bool {
        self.complete(word)
            || self.words.iter().any(|w| {
                w.starts_with(word) || (is_capitalized(word) && w.len() >= word.len() && w.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes()))
            })
    }

    /// The bytes of `id` when it holds a letter or digit.
    fn bytes(&self, id: u32) -> Option<&[u8]> {
        self.tokens.binary_search_by_key(&id, |(t, _)| *t).ok().map(|i| self.tokens[i].1.as_slice())
    }

    /// The word being written at the end of `generated` (empty after a non-word byte).
    fn open_word(&self, generated: &[u32]) -> String {
        let mut word: Vec<u8> = Vec::new();
        for &id in generated.iter().rev() {
            let Some(bytes) = self.bytes(id) else { break };
            let tail = bytes.iter().rev().take_while(|b| b.is_ascii_alphanumeric()).count();
            word.splice(0..0, bytes[bytes.len() - tail..].iter().copied());
            if tail < bytes.len() {
                break;
            }
        }
        String::from_utf8(word).unwrap_or_default()
    }

    /// Bans the tokens that would write a word not allowed, or end an open one unfinished.
    /// Leaves the logits alone when nothing allowed could follow (never a dead end).
    fn apply(&self, logits: &mut [f32], generated: &[u32]) {
        let open = self.open_word(generated);
        // One buffer for every token's word (this runs once per generated token).
        let mut word = String::with_capacity(64);
        let ok: Vec<bool> = self
            .tokens
            .iter()
            .map(|(_, bytes)| {
                word.clear();
                word.push_str(&open);
                let mut fine = true;
                for &b in bytes {
                    if b.is_ascii_alphanumeric() {
                        word.push(b as char);
                    } else if !word.is_empty() {
                        fine &= self.complete(&word);
                        word.clear();
                    }
                }
                fine && self.prefix(&word)
            })
            .collect();
        // Any other token ends the open word.
        let others_ok = self.complete(&open);
        let any_allowed = others_ok || self.tokens.iter().zip(&ok).any(|((id, _), &k)| k && logits.get(*id as usize).is_some_and(|l| l.is_finite()));
        if !any_allowed {
            return;
        }
        if !others_ok {
            // Only the allowed word tokens stay: few, so keep them aside and ban the rest.
            let kept: Vec<(usize, f32)> = self
                .tokens
                .iter()
                .zip(&ok)
                .filter(|(_, &k)| k)
                .filter_map(|((id, _), _)| logits.get(*id as usize).map(|&l| (*id as usize, l)))
                .collect();
            logits.fill(f32::NEG_INFINITY);
            for (id, l) in kept {
                logits[id] = l;
            }
            return;
        }
        for ((id, _), &k) in self.tokens.iter().zip(&ok) {
            if !k {
                if let Some(l) = logits.get_mut(*id as usize) {
                    *l = f32::NEG_INFINITY;
                }
            }
        }
    }
}

fn has_letter(word: &str) -> bool {
    word.bytes().any(|b| b.is_ascii_alphabetic())
}

fn is_capitalized(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_uppercase())
}

/// The runs of ASCII letters and digits in `bytes`.
fn word_runs(bytes: &[u8]) -> impl Iterator<Item = &str> {
    bytes.split(|b| !b.is_ascii_alphanumeric()).filter(|r| !r.is_empty()).map(|r| std::str::from_utf8(r).unwrap_or_default())
}

fn bump(logits: &mut [f32], id: u32, bonus: f32) {
    if let Some(l) = logits.get_mut(id as usize) {
        *l += bonus;
    }
}

/// Bytes that start (or are) a CJK character, CJK punctuation (U+3000–U+9FFF: lead bytes
/// E3–E9) or a full-width form (U+FF00–U+FFEF: EF BC…EF BF). A byte-level token may hold only
/// part of a character; a lead byte is enough to ban it.
fn has_cjk_bytes(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| {
        (0xE3..=0xE9).contains(&b) || (b == 0xEF && bytes.get(i + 1).is_none_or(|&n| (0xBC..=0xBF).contains(&n)))
    })
}

/// Bytes that start a letter of a script neither output language writes: Cyrillic to NKo
/// (U+0400–U+07FF, lead bytes D0–DF), Indic to Tibetan (U+0800–U+0FFF, E0), kana (E3 81–83)
/// and Hangul (U+A000–U+D7FF, EA–ED). The translator otherwise spells "Riverton" as
/// "Rивертон" when it is unsure of a name. Greek and accented Latin stay (β, café, Zürich).
fn has_other_script_bytes(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| {
        matches!(b, 0xD0..=0xDF | 0xE0 | 0xEA..=0xED) || (b == 0xE3 && bytes.get(i + 1).is_some_and(|n| (0x81..=0x83).contains(n)))
    })
}

/// The runs of indices whose flag is false, every index past `flags` included (the last run
/// ends at `usize::MAX`).
fn runs_of_false(flags: &[bool]) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for i in (0..flags.len()).filter(|&i| !flags[i]).chain([flags.len()]) {
        match runs.last_mut() {
            Some(run) if run.end == i => run.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    if let Some(last) = runs.last_mut() {
        last.end = usize::MAX;
    }
    runs
}

fn contains_char(bytes: &[u8], c: char) -> bool {
    let mut buf = [0u8; 4];
    let needle = c.encode_utf8(&mut buf).as_bytes();
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// The runs of ASCII letters in a token, lowercased ("Mate" → "mate", " iPhone15" → "iphone").
fn latin_runs(bytes: &[u8]) -> impl Iterator<Item = String> + '_ {
    bytes
        .split(|b| !b.is_ascii_alphabetic())
        .filter(|r| !r.is_empty())
        .map(|r| String::from_utf8_lossy(r).to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "vision")]
    #[test]
    fn a_masked_head_computes_only_the_allowed_rows_and_decodes_the_same_tokens() {
        use crate::llm::{model::Logits, sampler::argmax, session::Engine};
        let e = Engine::load(&crate::fuzzing::synthetic::engine_gguf(), |_, _| {}).unwrap();
        let mask = Constraints::for_script(&e.tokenizer, Script::Latin, &[]);
        let rows = mask.allowed_rows().unwrap();
        let vocab = e.model.config.vocab;
        assert!(rows.iter().map(|r| r.end.min(vocab) - r.start.min(vocab)).sum::<usize>() < vocab, "the synthetic vocabulary has Han tokens");
        let prompt = e.tokenizer.encode("the 你好 world", true);
        let (mut a, mut b) = (e.model.new_cache(32), e.model.new_cache(32));
        let mut whole = e.model.forward(&prompt, &mut a, Logits::LastOnly).unwrap();
        let mut masked = e.model.forward_masked(&prompt, &mut b, Logits::LastOnly, Some(rows)).unwrap();
        assert!(masked.iter().any(|l| *l == f32::NEG_INFINITY), "banned rows are not computed");
        for _ in 0..8 {
            mask.apply(&mut whole);
            mask.apply(&mut masked);
            assert_eq!(whole, masked);
            let next = argmax(&whole);
            whole = e.model.forward(&[next], &mut a, Logits::LastOnly).unwrap();
            masked = e.model.forward_masked(&[next], &mut b, Logits::LastOnly, Some(rows)).unwrap();
        }
    }

    #[test]
    fn cjk_bytes_are_found_even_in_partial_tokens() {
        assert!(has_cjk_bytes("杭州".as_bytes()));
        assert!(has_cjk_bytes("。".as_bytes()));
        assert!(has_cjk_bytes("，".as_bytes()));
        assert!(has_cjk_bytes(&"杭".as_bytes()[..1]));
        assert!(!has_cjk_bytes("café – “quoted”".as_bytes()));
        assert!(!has_cjk_bytes(b" the"));
    }

    #[test]
    fn other_scripts_are_found_even_in_partial_tokens() {
        for other in ["Ривертон", "ив", "ひらがな", "カタカナ", "한국", "ไทย", "हिन्दी", "عربي"] {
            assert!(has_other_script_bytes(other.as_bytes()), "{other}");
            // A lone E3 may be CJK punctuation too: kana shows from its second byte.
            let lead = if other.starts_with(['ひ', 'カ']) { 2 } else { 1 };
            assert!(has_other_script_bytes(&other.as_bytes()[..lead]), "{other}: lead byte");
        }
        for fine in ["杭州。", "《报告》、“引号”", "café Zürich β 5°C ×2 €3 – —", " the"] {
            assert!(!has_other_script_bytes(fine.as_bytes()), "{fine}");
        }
    }

    #[test]
    fn latin_runs_are_lowercased_letter_runs() {
        assert_eq!(latin_runs(b" iPhone15 Pro").collect::<Vec<_>>(), ["iphone", "pro"]);
        assert_eq!(latin_runs("的80".as_bytes()).count(), 0);
    }

    #[test]
    fn a_begun_span_is_favoured_to_its_end_and_a_written_one_no_more() {
        let c = Constraints { copy: vec![CopySpan { variants: vec![vec![5, 6, 7]], start: true }], ..Default::default() };
        let mut logits = [0.0f32; 8];
        c.apply_after(&mut logits, &[1, 5, 6]);
        assert_eq!(crate::llm::sampler::argmax(&logits), 7);
        let mut logits = [0.0f32; 8];
        c.apply_after(&mut logits, &[1, 2]);
        assert_eq!(crate::llm::sampler::argmax(&logits), 5, "a name not begun yet: its first token");
        let mut logits = [0.0f32; 8];
        c.apply_after(&mut logits, &[5, 6, 7, 1]);
        assert!(logits.iter().all(|&l| l == 0.0), "written once: no bias");
    }

    #[test]
    fn latin_in_chinese_output_is_only_whole_allowed_words() {
        let tokens: Vec<(u32, Vec<u8>)> = [(1, "park"), (2, " Lind"), (3, "ell"), (4, " Park"), (5, "to"), (6, "LIND"), (7, "12"), (8, "ell公")]
            .iter()
            .map(|(id, t)| (*id, t.as_bytes().to_vec()))
            .collect();
        let words = LatinWords { words: vec!["Lindell".into(), "Park".into(), "km".into()], tokens };
        let allowed = |generated: &[u32]| {
            let mut logits = [0.0f32; 10];
            words.apply(&mut logits, generated);
            (0..10).filter(|&i| logits[i].is_finite()).collect::<Vec<_>>()
        };
        // Nothing open: "park" and "to" are English words, " Park" is the name; 0 and 9 hold no
        // Latin; "LIND" may grow into "LINDELL".
        assert_eq!(allowed(&[0]), [0, 2, 4, 6, 7, 9]);
        // "Lind" open: only its continuation; ending it here ("Lind公") or as "Lindpark" is not.
        assert_eq!(allowed(&[0, 2]), [3, 8]);
        // "Lindell" written: it may end, or a new word begin; it may not run on.
        assert_eq!(allowed(&[0, 2, 3]), [0, 2, 4, 9]);
    }

    #[test]
    fn chars_are_found_whole_inside_tokens() {
        assert!(contains_char("报告：".as_bytes(), '：'));
        assert!(contains_char(b"Freight:", ':'));
        assert!(!contains_char("，".as_bytes(), '：'));
    }

    #[test]
    fn banned_tokens_can_never_win() {
        let c = Constraints { banned: vec![false, true, false], ..Default::default() };
        let mut logits = [0.0f32, 9.0, 1.0];
        c.apply(&mut logits);
        assert_eq!(crate::llm::sampler::argmax(&logits), 2);
        assert!(c.is_banned(1) && !c.is_banned(0) && !c.is_banned(7));
    }
}
