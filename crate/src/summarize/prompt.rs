//! ChatML prompts for the LLM summaries. The instructions are written in the output language
//! (a 0.5B model follows "用中文" far more reliably when the whole request is Chinese), the
//! system prompt is the same for every request of one output language so its keys/values
//! stay in the KV cache between summaries, and every prompt repeats the one rule that matters:
//! use only facts from the article.

use super::{Language, Length, SummaryOptions, SummaryType};
use crate::llm::session::chatml;

pub struct Prompt {
    pub text: String,
    /// Upper bound for generated tokens (the post-processing trims to the exact limits).
    pub max_tokens: usize,
}

fn system(language: Language) -> &'static str {
    match language {
        Language::Zh => "你是一名严谨的中文编辑。只使用文章中的事实，不添加文章里没有的数字、日期、人名、地名或机构名。",
        _ => "You are a careful editor. Use only facts stated in the article; never add numbers, dates, names, places or organizations that are not in it.",
    }
}

fn task_zh(options: &SummaryOptions) -> String {
    let n = match options.kind {
        SummaryType::KeyPoints => options.length.key_points(),
        SummaryType::Headline => options.length.headline_words() * 2,
        _ => options.length.sentences(),
    };
    match (options.kind, options.length) {
        (SummaryType::KeyPoints, _) => format!("请用中文列出这篇文章最重要的{n}个要点，每行一个，以“- ”开头，每个要点一句话。"),
        (SummaryType::Tldr, Length::Short) => "请用中文写一句话概括这篇文章（不超过60个字）。".to_string(),
        (SummaryType::Tldr, _) => format!("请用中文写{n}句话概括这篇文章。"),
        (SummaryType::Teaser, Length::Short) => "请用中文写一句吸引人阅读这篇文章的导语（不超过60个字），突出最有趣的内容。".to_string(),
        (SummaryType::Teaser, _) => format!("请用中文写{n}句吸引人阅读这篇文章的导语，突出最有趣的内容。"),
        (SummaryType::Headline, _) => format!("请用中文为这篇文章写一个新闻标题（不超过{n}个字），只输出标题。"),
    }
}

fn task_en(options: &SummaryOptions) -> String {
    let sentences = options.length.sentences();
    match (options.kind, options.length) {
        (SummaryType::KeyPoints, _) => format!(
            "List the {} most important points of the article in English, one per line, each starting with \"- \" and each one sentence.",
            options.length.key_points()
        ),
        (SummaryType::Tldr, Length::Short) => "Summarize the article in one sentence in English.".to_string(),
        (SummaryType::Tldr, _) => format!("Summarize the article in {sentences} sentences in English."),
        (SummaryType::Teaser, Length::Short) => "Write one sentence in English that makes people want to read the article, highlighting its most interesting part.".to_string(),
        (SummaryType::Teaser, _) => format!("Write {sentences} sentences in English that make people want to read the article, highlighting its most interesting parts."),
        (SummaryType::Headline, _) => format!(
            "Write a news headline for the article in English, at most {} words. Output only the headline.",
            options.length.headline_words()
        ),
    }
}

/// Generous token caps per unit: a Chinese sentence is ~30–50 tokens, an English one ~25–35.
fn max_tokens(options: &SummaryOptions) -> usize {
    match options.kind {
        SummaryType::KeyPoints => 16 + 48 * options.length.key_points(),
        SummaryType::Headline => 16 + 2 * options.length.headline_words(),
        SummaryType::Tldr | SummaryType::Teaser => 24 + 64 * options.length.sentences(),
    }
}

pub fn build(article: &str, options: &SummaryOptions, input: Language, output: Language) -> Prompt {
    let (mut task, article_label, context_label) = match output {
        Language::Zh => (task_zh(options), "文章", "背景"),
        _ => (task_en(options), "Article", "Context"),
    };
    if output == Language::En && input != Language::En {
        // The guard drops English units that still contain Han characters.
        task.push_str(" Write Chinese names in pinyin; do not use Chinese characters.");
    }
    let context = options.context.as_deref().map(|c| format!("{context_label}: {c}\n\n")).unwrap_or_default();
    let user = format!("{context}{article_label}:\n{article}\n\n{task}");
    Prompt { text: chatml(system(output), &user), max_tokens: max_tokens(options) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_prompt_is_a_shared_prefix_and_the_task_follows_the_language() {
        let o = SummaryOptions { kind: SummaryType::Tldr, ..Default::default() };
        let a = build("文章一。", &o, Language::Zh, Language::Zh).text;
        let b = build("文章二。", &SummaryOptions { kind: SummaryType::Headline, ..o.clone() }, Language::Zh, Language::Zh).text;
        let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        assert!(common > system(Language::Zh).chars().count(), "system prompt must be a common prefix");
        assert!(a.contains("一句话") && b.contains("标题"));
        let en = build("Text.", &SummaryOptions { context: Some("for investors".into()), ..o }, Language::En, Language::En).text;
        assert!(en.contains("Context: for investors") && en.contains("one sentence") && en.ends_with("<|im_start|>assistant\n"));
    }
}
