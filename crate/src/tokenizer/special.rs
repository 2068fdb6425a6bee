//! Special tokens (`<|im_start|>`, `<|endoftext|>`, `<tool_call>`, …) are cut out of the text
//! before pre-tokenization, as llama.cpp does: longest token text first, each one splitting
//! every remaining text fragment at all its (non-overlapping, leftmost) occurrences.
//! Control tokens are only recognised when the caller asks for it (`parse_special`);
//! user-defined ones always are.

use std::ops::Range;

pub(super) struct SpecialToken {
    pub text: String,
    pub id: u32,
    /// Control tokens need `parse_special`; user-defined tokens are always matched.
    pub control: bool,
}

/// A piece of the input: text still to be BPE-encoded, or a special token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Fragment {
    Text(Range<usize>),
    Token(u32),
}

/// Sorts the special tokens the way they are matched: longest text first (ties by id).
pub(super) fn match_order(tokens: &mut [SpecialToken]) {
    tokens.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.id.cmp(&b.id)));
}

/// Splits `text` into text fragments and special tokens. `tokens` must be in `match_order`.
pub(super) fn split(text: &str, tokens: &[SpecialToken], parse_special: bool) -> Vec<Fragment> {
    let mut fragments = if text.is_empty() { vec![] } else { vec![Fragment::Text(0..text.len())] };
    for token in tokens {
        if token.control && !parse_special || token.text.is_empty() {
            continue;
        }
        // Cheap rejection: most texts contain no special token at all.
        if !fragments.iter().any(|f| matches!(f, Fragment::Text(r) if text[r.clone()].contains(token.text.as_str()))) {
            continue;
        }
        let mut out = Vec::with_capacity(fragments.len() + 2);
        for fragment in fragments {
            let Fragment::Text(range) = fragment else {
                out.push(fragment);
                continue;
            };
            let mut start = range.start;
            while let Some(found) = text[start..range.end].find(token.text.as_str()) {
                if found > 0 {
                    out.push(Fragment::Text(start..start + found));
                }
                out.push(Fragment::Token(token.id));
                start += found + token.text.len();
            }
            if start < range.end {
                out.push(Fragment::Text(start..range.end));
            }
        }
        fragments = out;
    }
    fragments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> Vec<SpecialToken> {
        let mut t = vec![
            SpecialToken { text: "<|im_start|>".into(), id: 1, control: true },
            SpecialToken { text: "<|im_end|>".into(), id: 2, control: true },
            SpecialToken { text: "<tool_call>".into(), id: 3, control: false },
            SpecialToken { text: "</tool_call>".into(), id: 4, control: false },
        ];
        match_order(&mut t);
        t
    }

    #[test]
    fn splits_around_tokens() {
        use Fragment::*;
        let text = "<|im_start|>user\n你好<|im_end|><|im_end|>x";
        assert_eq!(split(text, &tokens(), true), [Token(1), Text(12..23), Token(2), Token(2), Text(43..44)]);
        assert_eq!(split(text, &tokens(), false), [Text(0..44)]);
        assert_eq!(split("a<tool_call>b</tool_call>", &tokens(), false), [
            Text(0..1),
            Token(3),
            Text(12..13),
            Token(4)
        ]);
        assert_eq!(split("", &tokens(), true), []);
        assert_eq!(split("<|im_end", &tokens(), true), [Text(0..8)]);
    }
}
