//! The recognizer's character list and greedy CTC decoding of its per-step probabilities.

use crate::{Error, Result};

/// Class 0 is the CTC blank; class `i ≥ 1` is line `i` of `ppocr-keys.txt` (the last line is a
/// space, so lines are split on `'\n'` only and never trimmed).
pub struct CharacterKeys {
    chars: Vec<String>,
}

impl CharacterKeys {
    pub fn parse(keys_txt: &[u8]) -> Result<Self> {
        let text = std::str::from_utf8(keys_txt)
            .map_err(|e| Error::ModelLoad(format!("OCR character list is not UTF-8: {e}")))?;
        let mut chars: Vec<String> = text.split('\n').map(str::to_owned).collect();
        if chars.last().is_some_and(|last| last.is_empty()) {
            chars.pop(); // the newline after the last line
        }
        if chars.is_empty() {
            return Err(Error::ModelLoad("OCR character list is empty".into()));
        }
        Ok(Self { chars })
    }

    /// Model classes: blank + characters.
    pub fn num_classes(&self) -> usize {
        self.chars.len() + 1
    }

    fn text_of(&self, class: usize) -> &str {
        class.checked_sub(1).and_then(|i| self.chars.get(i)).map_or("", String::as_str)
    }
}

/// One decoded line.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// Mean of the kept steps' probabilities (0 when nothing was kept).
    pub score: f32,
    pub class_ids: Vec<usize>,
}

/// Greedy CTC: the best class per time step; a step repeating the previous step's class is
/// merged into it, blanks (class 0) are dropped. `probs` is `steps × num_classes`, row-major.
pub fn greedy_decode(probs: &[f32], num_classes: usize, keys: &CharacterKeys) -> Decoded {
    let mut class_ids = Vec::new();
    let mut kept_probs = Vec::new();
    let mut previous = None;
    for step in probs.chunks_exact(num_classes.max(1)) {
        // First maximum wins ties, like numpy's argmax.
        let (best, &p) = step
            .iter()
            .enumerate()
            .fold((0, &f32::NEG_INFINITY), |acc, (i, v)| if *v > *acc.1 { (i, v) } else { acc });
        if best != 0 && previous != Some(best) {
            class_ids.push(best);
            kept_probs.push(p);
        }
        previous = Some(best);
    }
    let score = if kept_probs.is_empty() { 0.0 } else { kept_probs.iter().sum::<f32>() / kept_probs.len() as f32 };
    let text = class_ids.iter().map(|&c| keys.text_of(c)).collect();
    Decoded { text, score, class_ids }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> CharacterKeys {
        CharacterKeys::parse("a\nb\n中\n \n".as_bytes()).unwrap()
    }

    /// One-hot-ish steps: each entry is (class, probability); the rest share what is left.
    fn steps(classes: &[(usize, f32)]) -> Vec<f32> {
        let n = keys().num_classes();
        classes
            .iter()
            .flat_map(|&(c, p)| (0..n).map(move |i| if i == c { p } else { (1.0 - p) / (n - 1) as f32 }))
            .collect()
    }

    #[test]
    fn keys_keep_the_trailing_space_line() {
        let k = keys();
        assert_eq!(k.num_classes(), 5);
        assert_eq!(k.text_of(4), " ");
        assert_eq!(k.text_of(0), "");
        assert!(CharacterKeys::parse(b"").is_err());
    }

    #[test]
    fn repeats_merge_and_blanks_separate() {
        // a a _ a b b _ _ 中 → "aab中"
        let probs = steps(&[(1, 0.9), (1, 0.8), (0, 0.9), (1, 0.7), (2, 0.9), (2, 0.9), (0, 0.9), (0, 0.9), (3, 0.6)]);
        let d = greedy_decode(&probs, 5, &keys());
        assert_eq!(d.text, "aab中");
        assert_eq!(d.class_ids, vec![1, 1, 2, 3]);
        assert!((d.score - (0.9 + 0.7 + 0.9 + 0.6) / 4.0).abs() < 1e-6);
    }

    #[test]
    fn space_class_and_all_blank() {
        let d = greedy_decode(&steps(&[(1, 0.9), (4, 0.9), (2, 0.9)]), 5, &keys());
        assert_eq!(d.text, "a b");
        let blank = greedy_decode(&steps(&[(0, 0.9), (0, 0.9)]), 5, &keys());
        assert_eq!((blank.text.as_str(), blank.score), ("", 0.0));
        assert_eq!(greedy_decode(&[], 5, &keys()).text, "");
    }
}
