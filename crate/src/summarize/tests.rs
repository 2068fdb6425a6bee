use super::*;

fn article(id: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../eval/articles").join(format!("{id}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn options_accept_chrome_values_and_name_the_alternatives() {
    let o = SummaryOptions::parse(Some("headline"), Some("long"), Some("plain-text"), Some("zh")).unwrap();
    assert_eq!((o.kind, o.length, o.format, o.output_language), (SummaryType::Headline, Length::Long, Format::PlainText, Some(Language::Zh)));
    assert_eq!(SummaryOptions::parse(None, None, None, None).unwrap(), SummaryOptions::default());
    let err = SummaryOptions::parse(Some("bullets"), None, None, None).unwrap_err().to_string();
    assert!(err.starts_with("Unsupported: type \"bullets\"") && err.contains("key-points, tldr, teaser, headline"), "{err}");
    assert!(matches!(SummaryOptions::parse(None, Some("huge"), None, None), Err(Error::Unsupported(_))));
    assert!(matches!(SummaryOptions::parse(None, None, Some("html"), None), Err(Error::Unsupported(_))));
    assert!(matches!(SummaryOptions::parse(None, None, None, Some("fr")), Err(Error::Unsupported(_))));
}

#[test]
fn bad_inputs_are_invalid_input_with_the_reason() {
    for (input, needle) in [("", "empty"), ("   \n\t ", "empty"), ("。。！", "no sentences")] {
        let err = prepare(input).unwrap_err().to_string();
        assert!(err.starts_with("InvalidInput") && err.contains(needle), "{input:?}: {err}");
    }
    let huge = "好".repeat(1 << 20);
    let err = prepare(&huge).unwrap_err().to_string();
    assert!(err.contains("1048576 characters") && err.contains("limit is 100000"), "{err}");
    let garbage: String = (0u8..=255).cycle().take(5000).map(|b| b as char).collect::<String>().replace(char::is_alphanumeric, "\u{1}");
    assert!(prepare(&garbage).unwrap_err().to_string().contains("does not look like text"));
}

#[test]
fn key_points_are_verbatim_sentences_within_the_length_rule() {
    for id in ["zh-04", "en-04", "zh-01", "en-01"] {
        let a = article(id);
        let text = a["text"].as_str().unwrap();
        let normalized = normalize::normalize(text);
        for length in [Length::Short, Length::Medium, Length::Long] {
            let kp = key_points(text, length).unwrap();
            assert!(!kp.points.is_empty() && kp.points.len() <= length.key_points(), "{id} {length:?}: {}", kp.points.len());
            for p in &kp.points {
                assert!(normalized.contains(p.as_str()), "{id}: not verbatim: {p}");
            }
            let expected = if id.starts_with("zh") { Language::Zh } else { Language::En };
            assert_eq!(kp.language, expected, "{id}");
        }
    }
}

#[test]
fn key_fact_recall_on_the_evaluation_articles() {
    // A floor, not the target: the target (≥ 0.6 for medium) is measured by `bench summarize`.
    let mut recalled = 0;
    let mut facts = 0;
    for lang in ["zh", "en"] {
        for n in 1..=6 {
            let a = article(&format!("{lang}-0{n}"));
            let start = std::time::Instant::now();
            let kp = key_points(a["text"].as_str().unwrap(), Length::Medium).unwrap();
            let ms = start.elapsed().as_secs_f64() * 1e3;
            let joined = kp.points.join("\n");
            let hits = a["key_facts"].as_array().unwrap().iter().filter(|f| {
                f["must_mention"].as_array().unwrap().iter().any(|m| joined.contains(m.as_str().unwrap()))
            });
            let hit_count = hits.count();
            let total = a["key_facts"].as_array().unwrap().len();
            println!("{lang}-0{n}: {hit_count}/{total} key facts in {} points ({ms:.1} ms)", kp.points.len());
            recalled += hit_count;
            facts += total;
        }
    }
    let recall = recalled as f64 / facts as f64;
    println!("key-points medium, key-fact recall {recalled}/{facts} = {recall:.2}");
    assert!(recall >= 0.4, "recall {recall}");
}

#[test]
fn points_format_as_plain_or_markdown_bullets() {
    let p = vec!["一。".to_string(), "Two.".to_string()];
    assert_eq!(format_points(&p, Format::PlainText), "• 一。\n• Two.");
    assert_eq!(format_points(&p, Format::Markdown), "- 一。\n- Two.");
}
