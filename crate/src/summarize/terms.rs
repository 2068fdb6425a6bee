//! Sentence → content terms: jieba word segmentation (Chinese and mixed text), lowercase
//! English words, stop words (zh + en lists of the `stop-words` crate) and punctuation out.

use crate::text::jieba;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Built once per process.
fn stop_words() -> &'static HashSet<String> {
    static STOP: OnceLock<HashSet<String>> = OnceLock::new();
    STOP.get_or_init(|| {
        [stop_words::Language::English, stop_words::Language::Chinese]
            .into_iter()
            .flat_map(|language| stop_words::get(language).iter().map(|w| w.to_string()))
            .collect()
    })
}

/// Content terms of one sentence, in order (duplicates kept: they are term frequencies).
/// Segments with the process's one jieba (its dictionary holds ~60 MiB: never a second copy).
pub fn terms(sentence: &str) -> Vec<String> {
    let stop = stop_words();
    jieba()
        .cut(sentence, true)
        .into_iter()
        .filter_map(|word| {
            let word = word.word.trim();
            if !word.chars().any(|c| c.is_alphanumeric()) {
                return None;
            }
            let lower = word.to_lowercase();
            if stop.contains(&lower) || (lower.chars().count() == 1 && lower.is_ascii()) {
                return None;
            }
            Some(lower)
        })
        .collect()
}

/// Loads jieba's dictionary and the stop words (so the first summary's timing is not the load).
pub fn warm_up() {
    jieba();
    stop_words();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_words_without_stop_words_or_punctuation() {
        let t = terms("研究团队在深海发现了一种新的发光生物。");
        assert!(t.contains(&"研究".to_string()) || t.contains(&"研究团队".to_string()), "{t:?}");
        assert!(t.contains(&"深海".to_string()), "{t:?}");
        assert!(!t.iter().any(|w| w == "了" || w == "的" || w == "。"), "{t:?}");
    }

    #[test]
    fn english_words_lowercased_without_stop_words_numbers_kept() {
        let t = terms("The Council approved 1,250 new homes in the U.S. on Tuesday.");
        assert!(t.contains(&"council".to_string()) && t.contains(&"approved".to_string()), "{t:?}");
        assert!(t.iter().any(|w| w.contains("250")), "{t:?}");
        assert!(!t.contains(&"the".to_string()) && !t.contains(&"in".to_string()), "{t:?}");
    }
}
