//! Sentence segmentation for Chinese and English (and both in one text).
//!
//! Chinese ends a sentence at 。！？；… (closing quotes and brackets stay with it); English
//! at . ! ? followed by a space and a plausible sentence start — except after abbreviations
//! (Dr., U.S., e.g.), initials (J. Smith) and inside numbers (5.2%). Line breaks always end a
//! sentence, so list items become sentences of their own.

use crate::text::abbreviations::ends_with_abbreviation;

const CLOSERS: &[char] = &['”', '’', '"', '\'', '」', '』', '）', ')', '】', ']', '》', '〉'];

fn ends_chinese_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | '…')
}

/// Splits normalized text into trimmed, non-empty sentences.
pub fn split(text: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    for line in text.lines() {
        split_line(line, &mut sentences);
    }
    sentences
}

fn split_line(line: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = line.chars().collect();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut end = None;
        if ends_chinese_sentence(c) {
            // Runs like "……" or "？！" end together.
            let mut j = i + 1;
            while j < chars.len() && (ends_chinese_sentence(chars[j]) || chars[j] == '.') {
                j += 1;
            }
            end = Some(j);
        } else if c == '.' && ends_english_sentence(&chars, start, i) {
            let mut j = i + 1;
            while j < chars.len() && chars[j] == '.' {
                j += 1;
            }
            end = Some(j);
        }
        if let Some(mut j) = end {
            while j < chars.len() && CLOSERS.contains(&chars[j]) {
                j += 1;
            }
            push(&chars[start..j], out);
            start = j;
            i = j;
        } else {
            i += 1;
        }
    }
    push(&chars[start..], out);
}

fn push(chars: &[char], out: &mut Vec<String>) {
    let s: String = chars.iter().collect();
    let s = s.trim();
    if s.chars().any(|c| c.is_alphanumeric()) {
        out.push(s.to_string());
    } else if let Some(last) = out.last_mut() {
        // Stray punctuation ("”", "...") belongs to the previous sentence.
        last.push_str(s);
    }
}

/// A period at `i` ends an English sentence when followed by the end of the line, or by
/// spaces and then a capital, digit, quote or CJK character — and the word before it is
/// not an abbreviation or an initial.
fn ends_english_sentence(chars: &[char], start: usize, i: usize) -> bool {
    let mut k = i + 1;
    while k < chars.len() && CLOSERS.contains(&chars[k]) {
        k += 1;
    }
    if k < chars.len() {
        if !chars[k].is_whitespace() {
            return false; // 5.2%, example.com, U.S.A
        }
        while k < chars.len() && chars[k].is_whitespace() {
            k += 1;
        }
        if k < chars.len() {
            let next = chars[k];
            let starts = next.is_uppercase() || next.is_ascii_digit() || "\"“‘'(「".contains(next) || !next.is_ascii();
            if !starts {
                return false;
            }
        }
    }
    let before: String = chars[start..i].iter().collect();
    !ends_with_abbreviation(&before)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_punctuation_quotes_and_ellipses() {
        let s = split("他说：“明天见。”大家都笑了！真的吗？是的……我们走吧；好。");
        assert_eq!(s, vec!["他说：“明天见。”", "大家都笑了！", "真的吗？", "是的……", "我们走吧；", "好。"]);
    }

    #[test]
    fn english_abbreviations_initials_and_decimals() {
        let s = split("Dr. Lin Wei joined Acme Inc. in 2024. Revenue rose 5.2% to $1.38 billion. J. Smith said so. Next, e.g. this one stays.");
        assert_eq!(
            s,
            vec![
                "Dr. Lin Wei joined Acme Inc. in 2024.",
                "Revenue rose 5.2% to $1.38 billion.",
                "J. Smith said so.",
                "Next, e.g. this one stays."
            ]
        );
    }

    #[test]
    fn quotes_questions_and_lowercase_continuations() {
        let s = split("\"We are ready,\" she said. \"Are you?\" He nodded. The U.S. team won. it was 3 p.m. when they left.");
        assert_eq!(s, vec!["\"We are ready,\" she said.", "\"Are you?\"", "He nodded.", "The U.S. team won. it was 3 p.m. when they left."]);
    }

    #[test]
    fn lines_and_list_items_are_sentences_and_mixed_text_splits() {
        let s = split("要点如下：\n- 第一，降低成本\n- 第二，提高效率\nWebAssembly 很快。It runs offline.");
        assert_eq!(s, vec!["要点如下：", "- 第一，降低成本", "- 第二，提高效率", "WebAssembly 很快。", "It runs offline."]);
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert!(split("").is_empty());
        assert!(split("。。。\n!!").is_empty());
    }
}
