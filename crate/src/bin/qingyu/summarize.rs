//! `qingyu summarize FILE` (streams the summary) and `qingyu bench-summarize` (one JSON line
//! per article × type, for scripts/bench-summarize.mjs to tabulate).

use super::{flag, DEFAULT_GGUF};
use qingyu::llm::draft::DraftPolicy;
use qingyu::llm::session::{Engine, Session};
use qingyu::summarize::{needs_llm, prepare, summarize, SummaryOptions, SummaryResult};
use std::io::{Read, Write};

/// KV cache for summaries: the compressed article plus prompt and output fit in 2,048.
const CONTEXT: usize = 2048;

pub(crate) fn load_engine(args: &[String]) -> Result<Engine, String> {
    let path = flag(args, "--gguf").unwrap_or(DEFAULT_GGUF);
    Engine::load_file(std::path::Path::new(path), super::layout_flag(args)?).map_err(|e| e.to_string())
}

/// `--draft K[:N]`: prompt-lookup drafts of K tokens on n-gram matches of ≥ N tokens for
/// every generation (0 = one-token decoding).
pub(crate) fn draft_flag(args: &[String]) -> Result<Option<DraftPolicy>, String> {
    flag(args, "--draft").map(parse_draft).transpose()
}

fn parse_draft(spec: &str) -> Result<DraftPolicy, String> {
    DraftPolicy::parse(spec).ok_or_else(|| format!("--draft: {spec:?} is not K, K:N or K:N:b (K draft tokens, N = 1..3, b = back off after a miss)"))
}

fn options_from_flags(args: &[String]) -> Result<SummaryOptions, String> {
    let mut o = SummaryOptions::parse(flag(args, "--type"), flag(args, "--length"), flag(args, "--format"), flag(args, "--lang"))
        .and_then(|o| o.with_quality(flag(args, "--quality")))
        .map_err(|e| e.to_string())?;
    o.context = flag(args, "--context").map(str::to_string);
    o.rephrase = args.iter().any(|a| a == "--rephrase");
    Ok(o)
}

fn read_input(path: &str) -> Result<String, String> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("stdin: {e}"))?;
    } else {
        bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    }
    String::from_utf8(bytes).map_err(|_| format!("{path}: InvalidInput: not UTF-8 text"))
}

pub fn summarize_cmd(args: &[String]) -> Result<(), String> {
    let path = args.first().filter(|a| !a.starts_with("--")).ok_or("summarize needs a FILE (or - for stdin)")?;
    let text = read_input(path)?;
    let options = options_from_flags(args)?;
    let language = prepare(&text).map_err(|e| e.to_string())?.language;
    let mut engine_session = if needs_llm(&options, language) {
        let engine = load_engine(args)?;
        let mut session = Session::new(&engine, CONTEXT);
        session.draft = draft_flag(args)?;
        Some((engine, session))
    } else {
        None
    };
    let json = args.iter().any(|a| a == "--json");
    let mut stdout = std::io::stdout();
    let llm = engine_session.as_mut().map(|(e, s)| (&*e, s));
    let result = summarize(&text, options, llm, |piece| {
        if !json {
            print!("{piece}");
            let _ = stdout.flush();
        }
        true
    })
    .map_err(|e| e.to_string())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
    } else {
        println!();
        report(&result);
    }
    Ok(())
}

fn report(r: &SummaryResult) {
    let v = &r.violations;
    eprintln!(
        "[{} {:?}→{:?}{}; extract {:.0} ms, prefill {:.0} ms ({} prompt tokens, {} reused), decode {:.0} ms ({} tokens, {}/{} drafted confirmed); guard: {} found, {} remaining]",
        r.kind,
        r.language,
        r.output_language,
        if r.fallback { ", extractive fallback" } else { "" },
        r.timing.extract_ms,
        r.timing.prefill_ms,
        r.tokens.prompt,
        r.tokens.reused,
        r.timing.decode_ms,
        r.tokens.generated,
        r.tokens.draft_accepted,
        r.tokens.drafted,
        v.found,
        v.remaining
    );
    if let Some(reason) = &r.fallback_reason {
        eprintln!("[fallback: {reason}]");
    }
    for d in &r.dropped {
        eprintln!("[dropped: {} — {}]", d.unit, d.reasons.join("; "));
    }
}

/// For every article JSON in --articles (default eval/articles) and every --types entry
/// (`type:length`), prints `{"article", "type", "length", "wallMs", "result"}` as one JSON line
/// (`--quality best`: every summary with several candidates).
pub fn bench_summarize(args: &[String]) -> Result<(), String> {
    let dir = flag(args, "--articles").unwrap_or("eval/articles");
    // "type" or "type:length" entries.
    let plan: Vec<(&str, &str)> = flag(args, "--types")
        .unwrap_or("key-points:medium,tldr:medium,teaser:short,headline:short")
        .split(',')
        .map(|t| t.split_once(':').unwrap_or((t, "medium")))
        .collect();
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("{dir}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    if let Some(only) = flag(args, "--only") {
        paths.retain(|p| only.split(',').any(|id| p.file_stem().is_some_and(|s| s == id)));
    }
    // "same": the article's language; "cross": the other one (zh → en, en → zh).
    let directions: Vec<&str> = flag(args, "--directions").unwrap_or("same").split(',').collect();
    let split = flag(args, "--split");
    // --draft-compare K:N,…: each summary with one-token decoding first, then with each
    // drafting policy (reported under "drafts"); the main result uses the session's policy.
    let compare: Vec<DraftPolicy> = flag(args, "--draft-compare").map_or(Ok(Vec::new()), |l| l.split(',').map(parse_draft).collect())?;
    let engine = load_engine(args)?;
    let mut session = Session::new(&engine, CONTEXT);
    session.draft = draft_flag(args)?;
    qingyu::summarize::terms::warm_up();
    // Warm-up, as in a page that has summarized before: the system prompts are cached.
    for lang in ["en", "zh"] {
        let o = SummaryOptions::parse(Some("headline"), Some("short"), None, Some(lang)).map_err(|e| e.to_string())?;
        summarize("Warm-up text. 热身文本。", o, Some((&engine, &mut session)), |_| true).map_err(|e| e.to_string())?;
    }
    for path in paths {
        let article: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).map_err(|e| e.to_string())?).map_err(|e| format!("{}: {e}", path.display()))?;
        let id = article["id"].as_str().unwrap_or("?");
        let text = article["text"].as_str().ok_or_else(|| format!("{}: no text", path.display()))?;
        if split.is_some_and(|s| article["split"].as_str() != Some(s)) {
            continue;
        }
        let source_language = article["language"].as_str().unwrap_or("en");
        for &(kind, length) in &plan {
            for &direction in &directions {
                let output = match (direction, source_language) {
                    ("cross", "zh") => Some("en"),
                    ("cross", _) => Some("zh"),
                    _ => None,
                };
                let options = SummaryOptions::parse(Some(kind), Some(length), Some("plain-text"), output)
                    .and_then(|o| o.with_quality(flag(args, "--quality")))
                    .map_err(|e| e.to_string())?;
                let mut plain = None;
                let mut drafts = Vec::new();
                if !compare.is_empty() {
                    let default = session.draft;
                    session.draft = Some(DraftPolicy::OFF);
                    plain = Some(summarize(text, options.clone(), Some((&engine, &mut session)), |_| true).map_err(|e| format!("{id} {kind}: {e}"))?);
                    for &policy in &compare {
                        session.draft = Some(policy);
                        let r = summarize(text, options.clone(), Some((&engine, &mut session)), |_| true).map_err(|e| format!("{id} {kind}: {e}"))?;
                        drafts.push(serde_json::json!({ "draft": policy.label(), "result": r }));
                    }
                    session.draft = default;
                }
                let t = std::time::Instant::now();
                let result = summarize(text, options, Some((&engine, &mut session)), |_| true).map_err(|e| format!("{id} {kind}: {e}"))?;
                let wall_ms = t.elapsed().as_secs_f64() * 1e3;
                eprintln!("{id} {kind} {length} {direction}: {wall_ms:.0} ms — {}", result.text.replace('\n', " / "));
                println!(
                    "{}",
                    serde_json::json!({ "article": id, "type": kind, "length": length, "direction": direction, "wallMs": wall_ms, "result": result, "plain": plain, "drafts": drafts })
                );
            }
        }
    }
    Ok(())
}

/// The lexicon word check's thresholds for translations into `lang` from `--words-LANG-*` flags.
fn words(args: &[String], lang: &str, defaults: qingyu::summarize::lexicon::WordThresholds) -> Result<qingyu::summarize::lexicon::WordThresholds, String> {
    let parse = |name: &str, default: f64| -> Result<f64, String> {
        let name = format!("--words-{lang}-{name}");
        flag(args, &name).map_or(Ok(default), str::parse).map_err(|e| format!("{name}: {e}"))
    };
    Ok(qingyu::summarize::lexicon::WordThresholds {
        min_chars: parse("min-chars", defaults.min_chars as f64)? as usize,
        min_unbacked: parse("min-unbacked", defaults.min_unbacked as f64)? as usize,
        max_share: parse("max-share", defaults.max_share)?,
        nouns_only: parse("nouns-only", f64::from(u8::from(defaults.nouns_only)))? != 0.0,
        max_entries: parse("max-entries", defaults.max_entries as f64)? as usize,
    })
}

/// `qingyu check-support LABELS.jsonl [--window N] [--min-coverage X] [--clause-max-novel X]
/// [--clause-min-terms N] [--lexicon CEDICT.txt (read in main)] [--words-{zh,en}-{min-chars,min-unbacked,max-share,
/// nouns-only,max-entries} X] [--articles DIR]`: the
/// checks' verdict on each labelled sentence (`{id, article, sentence, sourceUnit?}` lines),
/// one JSON line each, for eval/support/score.mjs.
pub fn check_support(args: &[String]) -> Result<(), String> {
    let path = args.first().filter(|a| !a.starts_with("--")).ok_or("check-support needs a LABELS.jsonl file")?;
    let dir = flag(args, "--articles").unwrap_or("eval/articles");
    let defaults = qingyu::summarize::support::Thresholds::default();
    let parse = |name: &str, default: f64| -> Result<f64, String> { flag(args, name).map_or(Ok(default), str::parse).map_err(|e| format!("{name}: {e}")) };
    let thresholds = qingyu::summarize::support::Thresholds {
        window: parse("--window", defaults.window as f64)? as usize,
        min_coverage: parse("--min-coverage", defaults.min_coverage)?,
        clause_max_novel: parse("--clause-max-novel", defaults.clause_max_novel)?,
        clause_min_terms: parse("--clause-min-terms", defaults.clause_min_terms as f64)? as usize,
        words_zh: words(args, "zh", defaults.words_zh)?,
        words_en: words(args, "en", defaults.words_en)?,
    };
    let mut articles = std::collections::HashMap::new();
    for line in std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?.lines().filter(|l| !l.trim().is_empty()) {
        let item: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("{path}: {e}"))?;
        let id = item["article"].as_str().ok_or("a line without article")?.to_string();
        if !articles.contains_key(&id) {
            let file = format!("{dir}/{id}.json");
            let a: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).map_err(|e| format!("{file}: {e}"))?).map_err(|e| e.to_string())?;
            articles.insert(id.clone(), a["text"].as_str().unwrap_or_default().to_string());
        }
        let sentence = item["sentence"].as_str().unwrap_or_default();
        let headline = item["type"].as_str() == Some("headline");
        let reasons = qingyu::summarize::support::verdict(&articles[&id], sentence, item["sourceUnit"].as_str(), headline, thresholds)
            .map_err(|e| e.to_string())?;
        println!("{}", serde_json::json!({ "id": item["id"], "supported": reasons.is_empty(), "reasons": reasons }));
    }
    Ok(())
}
