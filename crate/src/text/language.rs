//! Which language a text is in: Chinese, English, or mixed — by counting Han characters
//! against Latin letters (a 2,000-character article decides in microseconds).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Zh,
    En,
    Mixed,
}

pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0xF900..=0xFAFF)
}

/// Chinese when Han characters dominate, English when Latin letters do, mixed in between.
/// Each Han character counts like a short English word (≈ 3 letters).
pub fn detect(text: &str) -> Language {
    let (mut han, mut latin) = (0usize, 0usize);
    for c in text.chars() {
        if is_han(c) {
            han += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    let han_weight = han * 3;
    let total = han_weight + latin;
    if total == 0 {
        return Language::En;
    }
    let share = han_weight as f64 / total as f64;
    if share >= 0.7 {
        Language::Zh
    } else if share <= 0.3 {
        Language::En
    } else {
        Language::Mixed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_zh_en_and_mixed() {
        assert_eq!(detect("今天上午，市政府召开新闻发布会。"), Language::Zh);
        assert_eq!(detect("The city council met on Tuesday."), Language::En);
        assert_eq!(detect("我们在 WebAssembly 里运行 Qwen 模型 on device"), Language::Mixed);
        assert_eq!(detect("华为发布 Mate 80 手机，售价 5999 元。"), Language::Zh);
        assert_eq!(detect("12345"), Language::En);
    }
}
