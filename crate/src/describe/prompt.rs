//! The prompt a description is written from: the caption's tags as findings (count, side,
//! size, hedged when unsure) and the OCR text, with one system prompt per language.

use super::LARGE_AREA;
use crate::llm::session::chatml;
use crate::vision::caption::types::{Caption, CaptionTag, Language, OCR_MIN_SCORE};
use crate::vision::concepts;

/// "a cup of espresso", "2 cats (left side, large)", "两只猫（左侧）"; hedged tags are marked.
fn tag_phrase(tag: &CaptionTag, language: Language) -> String {
    let concept = concepts::concept(&tag.concept);
    let mut phrase = match language {
        Language::En if tag.count >= 2 => format!("{} {}", tag.count, concept.map_or(tag.name.as_str(), |c| c.en_plural)),
        Language::En => tag.name.clone(),
        Language::Zh => {
            let measure = concept.map_or("个", |c| c.measure_zh);
            match tag.count {
                0 | 1 => format!("一{measure}{}", tag.zh),
                2 => format!("两{measure}{}", tag.zh),
                n => format!("{n}{measure}{}", tag.zh),
            }
        }
    };
    let size = match tag.area {
        a if a >= LARGE_AREA => Some(("large", "很大")),
        a if a > 0.0 && a < 0.05 => Some(("small", "很小")),
        _ => None,
    };
    let place = tag.position.as_deref().map(|p| match p {
        "left" => ("left side", "左侧"),
        "right" => ("right side", "右侧"),
        _ => ("center", "中间"),
    });
    let notes: Vec<(&str, &str)> = place.into_iter().chain(size).collect();
    if !notes.is_empty() {
        phrase = match language {
            Language::En => format!("{phrase} ({})", notes.iter().map(|n| n.0).collect::<Vec<_>>().join(", ")),
            Language::Zh => format!("{phrase}（{}）", notes.iter().map(|n| n.1).collect::<Vec<_>>().join("，")),
        };
    }
    match (tag.kind.as_str(), tag.sure, language) {
        ("scene", true, Language::En) => format!("place: {}", tag.name),
        ("scene", true, Language::Zh) => format!("地点：{}", tag.zh),
        ("scene", false, Language::En) => format!("place: possibly {}", tag.name),
        ("scene", false, Language::Zh) => format!("地点：可能是{}", tag.zh),
        (_, false, Language::En) => format!("possibly {phrase}"),
        (_, false, Language::Zh) => format!("可能有{phrase}"),
        _ => phrase,
    }
}

/// The ChatML prompt: one system prompt per language (its keys/values stay cached across
/// photos), the findings in the user turn.
pub fn prompt(caption: &Caption, language: Language) -> String {
    let mut findings: Vec<String> = caption.tags.iter().map(|t| format!("- {}", tag_phrase(t, language))).collect();
    let lines: Vec<&str> = caption.ocr.iter().filter(|l| l.score >= OCR_MIN_SCORE).map(|l| l.text.as_str()).collect();
    match language {
        Language::En => {
            if !lines.is_empty() {
                findings.push(format!("- text in the photo: \"{}\"", lines.join(" / ")));
            }
            if findings.is_empty() {
                findings.push("- nothing recognised".into());
            }
            let system = "You describe photos for people who cannot see them, using only what image recognition \
                found in the photo. Write 2 or 3 short, plain sentences in English. Say what is in the photo, where it \
                is and how much of the frame it fills, and quote any text found. Never add anything that is not in the \
                findings: no other objects, people, animals, places, colours, actions or text.\n\
                Example 1 findings:\n- 2 dogs (large)\n\
                Example 1 description: There are two dogs in the photo. They fill much of the frame.\n\
                Example 2 findings:\n- a bicycle (right side)\n- possibly a bench\n\
                Example 2 description: There is a bicycle on the right side of the photo. There may also be a bench.";
            let user = format!("Findings:\n{}\nDescription:", findings.join("\n"));
            chatml(system, &user)
        }
        Language::Zh => {
            if !lines.is_empty() {
                findings.push(format!("- 照片中的文字：“{}”", lines.join(" / ")));
            }
            if findings.is_empty() {
                findings.push("- 没有识别出内容".into());
            }
            let system = "你为看不见照片的人描述照片，只使用图像识别在照片中找到的内容。用简体中文写2到3个简短的完整句子：\
                说出照片里有什么、在什么位置、占画面多大，并引用识别出的文字。不要添加识别结果以外的任何东西：\
                不要添加其他物体、人物、动物、地点、颜色、动作或文字。\n\
                示例1识别结果：\n- 两只狗（很大）\n\
                示例1描述：照片中有两只狗。它们占了画面的大部分。\n\
                示例2识别结果：\n- 一辆自行车（右侧）\n- 可能有一张长椅\n\
                示例2描述：照片右侧有一辆自行车。旁边可能还有一张长椅。";
            let user = format!("识别结果：\n{}\n描述：", findings.join("\n"));
            chatml(system, &user)
        }
    }
}
