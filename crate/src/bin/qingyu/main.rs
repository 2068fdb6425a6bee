//! The native command line: generate, summarize, caption, benchmarks.
//! Run `qingyu help` for the commands.

use qingyu::kernels;
use qingyu::llm::session::Engine;
use qingyu::llm::weights::WeightLayout;
use qingyu::llm::Logits;
use qingyu::text::Language;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

mod caption;
mod summarize;

pub(crate) const DEFAULT_GGUF: &str = "models/dist/qwen2.5-coder-0.5b-instruct-q5_0-tied.gguf";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(threads) = flag(&args, "--threads") {
        let started = match threads.parse::<usize>() {
            Ok(n) if n > 0 => kernels::parallel::start_pool(n),
            _ => Err(format!("--threads: {threads:?} is not a positive number")),
        };
        if let Err(e) = started {
            eprintln!("qingyu: {e}");
            return ExitCode::FAILURE;
        }
    }
    // The zh-en lexicon of the translation check's word check (eval/support/lexicon.py fetches
    // it), for any command that checks sentences: summarize, bench-summarize, check-support.
    if let Some(file) = flag(&args, "--lexicon") {
        match std::fs::read_to_string(file) {
            Ok(text) => {
                qingyu::summarize::lexicon::install(qingyu::summarize::lexicon::Lexicon::parse(&text));
            }
            Err(e) => {
                eprintln!("qingyu: --lexicon {file}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let result = match args.first().map(String::as_str) {
        Some("bench-llm") => bench_llm(&args[1..]),
        Some("generate") => generate(&args[1..]),
        Some("summarize") => summarize::summarize_cmd(&args[1..]),
        Some("caption") => caption::caption_cmd(&args[1..]),
        Some("bench-summarize") => summarize::bench_summarize(&args[1..]),
        Some("check-support") => summarize::check_support(&args[1..]),
        Some("help") | None => {
            println!("qingyu generate PROMPT [--system TEXT] [--max-tokens N] [--temperature T] [--seed N] [--gguf PATH]");
            println!("qingyu check-support LABELS.jsonl [--window N] [--min-coverage X]   (eval/support/score.mjs)");
            println!("qingyu summarize FILE|- [--type key-points|tldr|teaser|headline] [--length short|medium|long] [--format plain-text|markdown] [--lang zh|en] [--context TEXT] [--rephrase] [--quality fast|best] [--json] [--gguf PATH]");
            println!("qingyu caption IMG... [--lang zh|en] [--detail brief|full] [--json] [--models DIR (default models/dist)] [--gguf PATH (for --detail full)] [--write-alt DIR (writes DIR/alt.json)]");
            println!("qingyu bench-summarize [--articles DIR] [--types key-points:medium,tldr:medium,teaser:short,headline:short] [--only zh-01,en-01] [--quality fast|best] [--gguf PATH]");
            println!("qingyu bench-llm [--gguf PATH] [--prompts 64,512,1024] [--decode N] [--weights packed|expanded] [--json]");
            println!("every command: [--threads N] (kernel threads; default one per core) [--lexicon CEDICT.txt] (the translation check's word check; python3 eval/support/lexicon.py fetches it)");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}; try `qingyu help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qingyu: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--weights packed|expanded` (default packed: natively both run at the same speed).
pub(crate) fn layout_flag(args: &[String]) -> Result<WeightLayout, String> {
    match flag(args, "--weights") {
        None | Some("packed") => Ok(WeightLayout::Packed),
        Some("expanded") => Ok(WeightLayout::Expanded),
        Some(other) => Err(format!("--weights: {other:?} is not packed or expanded")),
    }
}

pub(crate) fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

/// Chat with the model once (ChatML), streaming the answer to stdout.
fn generate(args: &[String]) -> Result<(), String> {
    use qingyu::llm::generate::GenerateOptions;
    use qingyu::llm::session::{chatml, Session};
    use std::io::Write;
    let prompt = args.first().filter(|a| !a.starts_with("--")).ok_or("generate needs a PROMPT")?;
    let path = flag(args, "--gguf").unwrap_or(DEFAULT_GGUF);
    let mut options = GenerateOptions::default();
    if let Some(n) = flag(args, "--max-tokens") {
        options.max_tokens = n.parse().map_err(|_| "bad --max-tokens")?;
    }
    if let Some(t) = flag(args, "--temperature") {
        options.sampling.temperature = t.parse().map_err(|_| "bad --temperature")?;
    }
    if let Some(s) = flag(args, "--seed") {
        options.sampling.seed = s.parse().map_err(|_| "bad --seed")?;
    }
    let system = flag(args, "--system").unwrap_or("You are a helpful assistant.");
    let engine = Engine::load_file(Path::new(path), layout_flag(args)?).map_err(|e| e.to_string())?;
    let mut session = Session::new(&engine, 4096);
    let t = Instant::now();
    let mut first: Option<f64> = None;
    let mut stdout = std::io::stdout();
    let (_, reason) = session
        .generate(&engine, &chatml(system, prompt), options, |piece| {
            first.get_or_insert(t.elapsed().as_secs_f64());
            print!("{piece}");
            let _ = stdout.flush();
            true
        })
        .map_err(|e| e.to_string())?;
    let n = session.generated_tokens().len();
    eprintln!(
        "\n[{n} tokens, {reason:?}; first text after {:.2} s, {:.1} tok/s overall]",
        first.unwrap_or(0.0),
        n as f64 / t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Peak resident memory of this process (Linux), in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0)))
        .unwrap_or(0.0)
        / 1024.0
}

/// Prefill and decode speed of our engine (`--threads N`), on deterministic token ids.
fn bench_llm(args: &[String]) -> Result<(), String> {
    let path = flag(args, "--gguf").unwrap_or(DEFAULT_GGUF);
    let prompts: Vec<usize> = flag(args, "--prompts")
        .unwrap_or("64,512,1024")
        .split(',')
        .map(|s| s.parse().map_err(|_| format!("bad --prompts value {s:?}")))
        .collect::<Result<_, _>>()?;
    let decode: usize = flag(args, "--decode").unwrap_or("32").parse().map_err(|_| "bad --decode")?;
    let json = args.iter().any(|a| a == "--json");

    let t0 = Instant::now();
    let layout = layout_flag(args)?;
    let engine = Engine::load_file(Path::new(path), layout).map_err(|e| e.to_string())?;
    let (model, tokenizer) = (&engine.model, &engine.tokenizer);
    let load_s = t0.elapsed().as_secs_f64();
    let vocab = model.config.vocab as u32;
    // A fixed, text-like spread of ids (no tokenizer needed for speed).
    let ids = |n: usize| -> Vec<u32> { (0..n as u32).map(|i| (i * 7919 + 13) % vocab.min(150_000)).collect() };

    let mut prefill = Vec::new();
    for &n in &prompts {
        let mut cache = model.new_cache(n + decode + 8);
        let t = Instant::now();
        model.forward(&ids(n), &mut cache, Logits::LastOnly).map_err(|e| e.to_string())?;
        prefill.push((n, n as f64 / t.elapsed().as_secs_f64()));
    }
    let ctx = 64;
    let mut cache = model.new_cache(ctx + decode + 8);
    let logits = model.forward(&ids(ctx), &mut cache, Logits::LastOnly).map_err(|e| e.to_string())?;
    let mut next = qingyu::llm::sampler::argmax(&logits);
    let t = Instant::now();
    for _ in 0..decode {
        let logits = model.forward(&[next], &mut cache, Logits::LastOnly).map_err(|e| e.to_string())?;
        next = qingyu::llm::sampler::argmax(&logits);
    }
    let decode_tps = decode as f64 / t.elapsed().as_secs_f64();
    // Decode under the summaries' script masks (Chinese and English output, no source names),
    // tokens alternately with the whole output head and with the mask's rows only, so both
    // halves see the same machine: tok/s (whole head, mask's rows).
    let mut masked = Vec::new();
    for language in [Language::Zh, Language::En] {
        let mask = qingyu::guarded::script_mask(tokenizer, language, &[]);
        let mut cache = model.new_cache(ctx + decode + 8);
        let mut logits = model.forward(&ids(ctx), &mut cache, Logits::LastOnly).map_err(|e| e.to_string())?;
        let mut spent = [0f64; 2];
        for i in 0..decode {
            mask.apply(&mut logits);
            let next = qingyu::llm::sampler::argmax(&logits);
            let t = Instant::now();
            let rows = if i % 2 == 1 { mask.allowed_rows() } else { None };
            logits = model.forward_masked(&[next], &mut cache, Logits::LastOnly, rows).map_err(|e| e.to_string())?;
            spent[i % 2] += t.elapsed().as_secs_f64();
        }
        let halves = [decode.div_ceil(2), decode / 2];
        masked.push((if language == Language::Zh { "zh" } else { "en" }, halves[0] as f64 / spent[0], halves[1] as f64 / spent[1]));
    }
    let peak = peak_rss_mib();
    if json {
        let p: Vec<String> = prefill.iter().map(|(n, v)| format!("\"{n}\":{v:.3}")).collect();
        println!(
            "{{\"engine\":\"qingyu-native\",\"threads\":{},\"weights\":\"{}\",\"kernels\":\"{}\",\"load_s\":{load_s:.3},\"prefill_tps\":{{{}}},\"decode_tps\":{decode_tps:.3},\"decode_masked_tps\":{{{}}},\"peak_mib\":{peak:.0},\"weights_mib\":{:.0}}}",
            kernels::parallel::threads(),
            layout.name(),
            kernels::simd_path(),
            p.join(","),
            masked.iter().map(|(l, whole, rows)| format!("\"{l}\":[{whole:.3},{rows:.3}]")).collect::<Vec<_>>().join(","),
            model.weight_bytes() as f64 / 1048576.0
        );
    } else {
        println!("qingyu native ({}, {} weights), {} thread(s): load {load_s:.2} s, weights {:.0} MiB, peak RSS {peak:.0} MiB", kernels::simd_path(), layout.name(), kernels::parallel::threads(), model.weight_bytes() as f64 / 1048576.0);
        for (n, v) in &prefill {
            println!("  prefill {n:>5} tokens: {v:8.1} tok/s");
        }
        println!("  decode  (after {ctx}): {decode_tps:8.1} tok/s");
        for (l, whole, rows) in &masked {
            println!("  decode, {l} output mask: {whole:8.1} tok/s whole head, {rows:.1} the mask's rows only ({:.2}×)", rows / whole);
        }
    }
    Ok(())
}
