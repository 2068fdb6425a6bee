//! The shape of a summary's units: where they end (`cut`), how many the length allows and how
//! units are joined into the text (a headline's own shape: `headline`).

use super::{Format, Language, SummaryType};
use crate::guarded::Cut;

/// Where a unit of this type ends in the model's text.
pub fn cut(kind: SummaryType) -> Cut {
    match kind {
        SummaryType::KeyPoints => Cut::Lines,
        SummaryType::Tldr | SummaryType::Teaser => Cut::Sentences,
        SummaryType::Headline => Cut::Whole,
    }
}

/// How many units the length allows.
pub fn unit_limit(kind: SummaryType, length: super::Length) -> usize {
    match kind {
        SummaryType::KeyPoints => length.key_points(),
        SummaryType::Tldr | SummaryType::Teaser => length.sentences(),
        SummaryType::Headline => 1,
    }
}

/// The separator written before a unit that is not the first one.
pub fn join_units(kind: SummaryType, format: Format, language: Language, units: &[String]) -> String {
    let mut out = String::new();
    for (i, u) in units.iter().enumerate() {
        out.push_str(&unit_prefix(kind, format, language, i));
        out.push_str(u);
    }
    out
}

pub fn unit_prefix(kind: SummaryType, format: Format, language: Language, index: usize) -> String {
    match kind {
        SummaryType::KeyPoints => {
            let bullet = if format == Format::Markdown { "- " } else { "• " };
            if index == 0 { bullet.to_string() } else { format!("\n{bullet}") }
        }
        _ if index == 0 => String::new(),
        _ if language == Language::Zh => String::new(),
        _ => " ".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summarize::Length;

    #[test]
    fn unit_counts_follow_the_length() {
        assert_eq!(unit_limit(SummaryType::KeyPoints, Length::Long), 7);
        assert_eq!(unit_limit(SummaryType::Headline, Length::Long), 1);
    }
}
