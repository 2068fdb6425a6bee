//! The character classes the Qwen2 pre-tokenizer regex uses: `\p{L}`, `\p{N}`, `\s`.
//!
//! Letters and numbers come from a table generated for Unicode 15.1 (llama.cpp's version);
//! whitespace is the Unicode `White_Space` property, which is also what llama.cpp uses.

use super::unicode_tables::{LETTER, NUMBER};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Class {
    /// `\p{L}`
    Letter,
    /// `\p{N}`
    Number,
    /// `\s` (Unicode White_Space)
    Space,
    /// Everything else: punctuation, symbols, marks, controls, unassigned.
    Other,
}

pub(super) fn class(c: char) -> Class {
    if c.is_ascii() {
        return match c {
            'a'..='z' | 'A'..='Z' => Class::Letter,
            '0'..='9' => Class::Number,
            '\t' | '\n' | '\x0B' | '\x0C' | '\r' | ' ' => Class::Space,
            _ => Class::Other,
        };
    }
    if is_white_space(c) {
        Class::Space
    } else if in_ranges(LETTER, c) {
        Class::Letter
    } else if in_ranges(NUMBER, c) {
        Class::Number
    } else {
        Class::Other
    }
}

/// The 25 code points with the Unicode `White_Space` property.
fn is_white_space(c: char) -> bool {
    matches!(
        c,
        '\t'..='\r'
            | ' '
            | '\u{85}'
            | '\u{A0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200A}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202F}'
            | '\u{205F}'
            | '\u{3000}'
    )
}

fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    // The first range that ends at or after cp is the only one that can hold it.
    let i = ranges.partition_point(|&(_, last)| last < cp);
    ranges.get(i).is_some_and(|&(first, _)| first <= cp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        for (c, want) in [
            ('a', Class::Letter),
            ('中', Class::Letter),
            ('ａ', Class::Letter),
            ('ß', Class::Letter),
            ('5', Class::Number),
            ('５', Class::Number),
            ('Ⅻ', Class::Number),
            ('½', Class::Number),
            ('\u{3000}', Class::Space),
            ('\u{85}', Class::Space),
            ('\u{1C}', Class::Other),
            ('\u{200B}', Class::Other),
            ('。', Class::Other),
            ('\u{301}', Class::Other),
            ('😀', Class::Other),
            ('\u{10FFFF}', Class::Other),
        ] {
            assert_eq!(class(c), want, "{c:?}");
        }
    }

    #[test]
    fn tables_are_sorted_and_disjoint() {
        for table in [LETTER, NUMBER] {
            for w in table.windows(2) {
                assert!(w[0].0 <= w[0].1 && w[0].1 < w[1].0, "{w:?}");
            }
        }
    }
}
