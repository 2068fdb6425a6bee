//! The Qwen2 pre-tokenizer: splits text into the pieces BPE runs on, equivalent to the regex
//!
//! ```text
//! (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//! ```
//!
//! applied leftmost-first, the way both Hugging Face tokenizers and llama.cpp apply it. Every
//! byte of the input lands in exactly one piece.

use super::unicode::{class, Class};
use std::ops::Range;

/// Byte ranges of `text`'s pieces, in order, covering it without gaps.
pub fn split(text: &str) -> Vec<Range<usize>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let classes: Vec<Class> = chars.iter().map(|&(_, c)| class(c)).collect();
    let n = chars.len();
    let byte_at = |i: usize| if i < n { chars[i].0 } else { text.len() };
    let is_cr_lf = |i: usize| i < n && matches!(chars[i].1, '\r' | '\n');
    let is = |i: usize, k: Class| i < n && classes[i] == k;

    let mut pieces = Vec::new();
    let mut pos = 0;
    while pos < n {
        let end = contraction(&chars[pos..])
            .map(|len| pos + len)
            .or_else(|| letters(pos, &chars, &classes))
            .or_else(|| is(pos, Class::Number).then_some(pos + 1))
            .or_else(|| {
                // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
                let first = if chars[pos].1 == ' ' { pos + 1 } else { pos };
                if !is(first, Class::Other) {
                    return None;
                }
                let mut end = first;
                while is(end, Class::Other) {
                    end += 1;
                }
                while is_cr_lf(end) {
                    end += 1;
                }
                Some(end)
            })
            .unwrap_or_else(|| {
                // Only whitespace is left here (anything else matched above).
                let mut end = pos;
                let mut after_last_cr_lf = None;
                while is(end, Class::Space) {
                    if is_cr_lf(end) {
                        after_last_cr_lf = Some(end + 1);
                    }
                    end += 1;
                }
                match after_last_cr_lf {
                    // `\s*[\r\n]+`: up to the last line break of the run.
                    Some(e) => e,
                    // `\s+(?!\S)`: leave the last space to lead the next word.
                    None if end - pos > 1 && end < n => end - 1,
                    // `\s+` (a lone space before a non-space, or the run ending the text).
                    None => end.max(pos + 1),
                }
            });
        pieces.push(byte_at(pos)..byte_at(end));
        pos = end;
    }
    pieces
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at the start of `chars`: its length in chars.
fn contraction(chars: &[(usize, char)]) -> Option<usize> {
    let lower = |i: usize| chars.get(i).map(|&(_, c)| c.to_ascii_lowercase());
    if lower(0) != Some('\'') {
        return None;
    }
    match (lower(1)?, lower(2)) {
        ('s' | 't' | 'm' | 'd', _) => Some(2),
        ('r', Some('e')) | ('v', Some('e')) | ('l', Some('l')) => Some(3),
        _ => None,
    }
}

/// `[^\r\n\p{L}\p{N}]?\p{L}+` at `pos`: the end of the match.
fn letters(pos: usize, chars: &[(usize, char)], classes: &[Class]) -> Option<usize> {
    let is_letter = |i: usize| classes.get(i) == Some(&Class::Letter);
    let start = if is_letter(pos) {
        pos
    } else if !matches!(chars[pos].1, '\r' | '\n') && classes[pos] != Class::Number && is_letter(pos + 1) {
        pos + 1
    } else {
        return None;
    };
    let mut end = start;
    while is_letter(end) {
        end += 1;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::split;

    fn pieces(text: &str) -> Vec<&str> {
        let ranges = split(text);
        let joined: String = ranges.iter().map(|r| &text[r.clone()]).collect();
        assert_eq!(joined, text, "pieces must cover the text");
        ranges.into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn english_words_and_contractions() {
        assert_eq!(pieces("Hello world"), ["Hello", " world"]);
        assert_eq!(pieces("I'm sure they'll say we'RE done"), [
            "I", "'m", " sure", " they", "'ll", " say", " we", "'RE", " done"
        ]);
        assert_eq!(pieces("don't 'tis 'hello"), ["don", "'t", " '", "tis", " '", "hello"]);
        assert_eq!(pieces("'"), ["'"]);
        assert_eq!(pieces("'r"), ["'r"]);
    }

    #[test]
    fn digits_are_single() {
        assert_eq!(pieces("1,234.5%"), ["1", ",", "2", "3", "4", ".", "5", "%"]);
        assert_eq!(pieces("x2 ２０"), ["x", "2", " ", "２", "０"]);
        assert_eq!(pieces("Ⅻ½"), ["Ⅻ", "½"]);
    }

    #[test]
    fn chinese_runs_and_punctuation() {
        assert_eq!(pieces("今天天气很好。我们去公园！"), ["今天天气很好", "。我们去公园", "！"]);
        assert_eq!(pieces("《红楼梦》“你好”"), ["《红楼梦", "》“", "你好", "”"]);
        assert_eq!(pieces("用GPT-4写代码"), ["用GPT", "-", "4", "写代码"]);
        assert_eq!(pieces("ＡＢＣ１"), ["ＡＢＣ", "１"]);
    }

    #[test]
    fn a_non_letter_leads_a_word() {
        assert_eq!(pieces("(hello) $x"), ["(hello", ")", " $", "x"]);
        assert_eq!(pieces("😀a"), ["😀a"]);
        assert_eq!(pieces("\tfoo"), ["\tfoo"]);
        assert_eq!(pieces("\nfoo"), ["\n", "foo"]);
    }

    #[test]
    fn punctuation_runs_take_trailing_newlines() {
        assert_eq!(pieces("a...\n\nb"), ["a", "...\n\n", "b"]);
        assert_eq!(pieces("x ->\r\n y"), ["x", " ->\r\n", " y"]);
        assert_eq!(pieces("  ..."), [" ", " ..."]);
    }

    #[test]
    fn whitespace() {
        assert_eq!(pieces("a   b"), ["a", "  ", " b"]);
        assert_eq!(pieces("a \n\n  b"), ["a", " \n\n", " ", " b"]);
        assert_eq!(pieces("a  "), ["a", "  "]);
        assert_eq!(pieces("a "), ["a", " "]);
        assert_eq!(pieces(" "), [" "]);
        assert_eq!(pieces("a \t5"), ["a", " ", "\t", "5"]);
        assert_eq!(pieces("\r\n\r\n"), ["\r\n\r\n"]);
        assert_eq!(pieces("a\u{3000}\u{3000}b"), ["a", "\u{3000}", "\u{3000}b"]);
        assert_eq!(pieces("x\n  "), ["x", "\n", "  "]);
    }

    #[test]
    fn marks_and_emoji() {
        // A combining mark is not a letter: it ends the word and starts a symbol run.
        assert_eq!(pieces("cafe\u{301} ok"), ["cafe", "\u{301}", " ok"]);
        assert_eq!(pieces("\u{301}"), ["\u{301}"]);
        assert_eq!(pieces("👨‍👩‍👧 🇨🇳!"), ["👨‍👩‍👧", " 🇨🇳!"]);
    }

    #[test]
    fn empty() {
        assert!(split("").is_empty());
    }
}
