//! One summary, driven step by step so a caller can stream it and cancel between any two
//! steps: the wasm worker calls `step` from its event loop, the CLI in a loop.
//!
//! Extractive `key-points` finish in `start`. LLM summaries prefill in small chunks, then
//! decode token by token; the model's text is cut into units (bullets / sentences / the
//! headline), each unit is cleaned, checked by the faithfulness guard and only then emitted —
//! so streamed text is never taken back. A unit with an invented number or name is dropped;
//! if no unit survives, the extractive summary is the answer (`fallback`); if some survive but
//! fewer than the count, the article's next key sentences make it up (`fill`, `filled`).
//!
//! A summary in the other language (zh → en, en → zh) is made in the source's language first
//! (or, for key points, extracted), then translated sentence by sentence (`translate`); each
//! translation is checked (script, numbers, names) before it is shown. When none passes, the
//! extractive summary is translated, then (shorter, more literal tasks) clause spans of the key
//! sentences; if nothing in the requested language passes even then, the result says so
//! (`fallbackReason`) instead of switching language silently.
//!
//! With `quality: 'best'` the summary is generated three times (`candidates`) and only the
//! chosen generation's units are shown (or translated), once all are done.

use super::guard::{self, Violation};
use super::candidates::{self, Candidate, Choice, BEST_OF};
use super::headline::{self, cut_headline, headline_problems, limit_headline, too_short, A_LIST, NO_VERB, SPLICE_CHARS, TWO_SENTENCES};
use super::postprocess::{cut, join_units, unit_limit, unit_prefix};
use super::support::SupportIndex;
use super::translate::{self, script_problems, Problem, Request};
use super::{compress, extract, extract_ranked, fill, prepare, prompt, Language, Prepared, Quality, SummaryOptions, SummaryType};
use crate::clock::now_ms;
use crate::guarded::{self, clean_unit, CheckedUnits, Decoding, UnitCheck, Wrote};
use crate::llm::generate::GenerateOptions;
use crate::llm::sampler::SamplingOptions;
use crate::llm::session::{Advance, Engine, Session};
use crate::{Error, Result};
use serde::Serialize;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timing {
    pub extract_ms: f64,
    pub prefill_ms: f64,
    pub decode_ms: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    /// Article tokens given to the model (after compression).
    pub input: usize,
    pub prompt: usize,
    /// Prompt tokens whose keys/values were already cached (shared system prompt).
    pub reused: usize,
    pub generated: usize,
    /// Prompt-lookup draft tokens proposed, and how many decoding confirmed (the output is
    /// the same as one-token decoding; confirmed drafts only save forward passes).
    pub drafted: usize,
    pub draft_accepted: usize,
    /// Decoding passes that verified a draft (each ran up to 1 + drafted tokens at once).
    pub draft_passes: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Violations {
    /// Invented numbers/names found in the model's units.
    pub found: usize,
    /// Of those, removed (unit dropped or replaced by the extractive fallback).
    pub repaired: usize,
    /// Left in the final text (the design goal is 0).
    pub remaining: usize,
    pub details: Vec<Violation>,
}

/// A unit the model wrote that the checks kept from the reader, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Dropped {
    pub unit: String,
    pub reasons: Vec<String>,
    /// For a translation: the source-language sentence it translated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryResult {
    pub text: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub language: Language,
    pub output_language: Language,
    /// The units (bullets / sentences / headline) the text is made of.
    pub units: Vec<String>,
    pub llm: bool,
    pub fallback: bool,
    /// Why the answer is not what was asked for (set when nothing in the requested language
    /// passed the checks: the text is then in the source's language).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    /// For a cross-language summary: the source-language units that were translated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source_units: Vec<String>,
    /// For a cross-language summary: the source-language sentence each unit translates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub translated_from: Vec<String>,
    /// Units that are the article's own key sentences (translated across languages), added
    /// because the checks left the model's units short of the requested count.
    pub filled: usize,
    pub dropped: Vec<Dropped>,
    pub violations: Violations,
    pub timing: Timing,
    pub tokens: Tokens,
    /// `quality: 'best'`: each generation's score and the one shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Choice>,
}

/// `quality: 'best'`: the prompt to generate again, and the finished generations.
struct BestOf {
    prompt: String,
    generate: GenerateOptions,
    /// Units kept so far in the current generation (shown only once one is chosen).
    current: Vec<String>,
    done: Vec<Candidate>,
    /// Tokens generated by the finished generations.
    generated: usize,
    choice: Option<Choice>,
}

/// Longest clause span tried as a sentence of its own (English words; Chinese characters / 2):
/// two headlines' worth, since a shorter span translates more literally (not fitted).
const CLAUSE_SENTENCE_WORDS: usize = 24;

/// The translation phase of a cross-language summary.
#[derive(Default)]
struct CrossLanguage {
    /// Source-language units to translate, in order.
    source_units: Vec<String>,
    next: usize,
    /// The sentence being translated: request, source unit, model text so far.
    current: Option<(Request, String, String)>,
    /// Source spellings already shown in parentheses.
    shown: Vec<String>,
    /// Per accepted unit, the source-language sentence it translates.
    translated_from: Vec<String>,
    /// The extractive sentences were queued after the model's units all failed.
    tried_extractive: bool,
    /// Then clause spans of the key sentences, when those failed too.
    tried_clauses: bool,
    /// `source_units` from this index on were queued to fill the summary up to its count.
    fill_from: Option<usize>,
    /// The source-language summary (or extraction) is complete.
    summary_done: bool,
    /// A unit to translate again, its answer opening with the name it lost (`name_retry`).
    retry: Option<(String, String)>,
    /// Units already translated again that way (once each).
    retried: Vec<String>,
}

/// The name a translation lost that its source sentence opens with, as the translation must
/// write it: "Tomas Reyes won the men's race" came back as "汤姆·罗伊德在…获得…". Both languages
/// put the subject first, so the answer may be made to open with it; a name inside the
/// sentence has no such place.
fn name_retry(request: &Request, problems: &[Problem]) -> Option<String> {
    let source = request.prepared.trim_start();
    problems.iter().find_map(|p| match p {
        Problem::LostName(name) if source.starts_with(name.as_str()) => Some(name.clone()),
        _ => None,
    })
}

impl CrossLanguage {
    /// The next unit to translate and the words its answer is made to open with: a retry
    /// first, then the queue; `None` when both are spent.
    fn take_next(&mut self) -> Option<(String, String)> {
        if let Some(retry) = self.retry.take() {
            return Some(retry);
        }
        let unit = self.source_units.get(self.next)?.clone();
        self.next += 1;
        Some((unit, String::new()))
    }

    /// Queues `units` after the queued ones, leaving out those already queued (tried or not).
    fn queue_untried(&mut self, units: Vec<String>) {
        for unit in units {
            if !self.source_units.contains(&unit) {
                self.source_units.push(unit);
            }
        }
    }
}

pub struct SummaryJob {
    options: SummaryOptions,
    prepared: Prepared,
    source: guard::Source,
    support: SupportIndex,
    /// Latin words of the source: what a Chinese summary may keep in Latin letters.
    source_latin: Vec<String>,
    /// The Latin words the source uses as names: what a Chinese translation may keep.
    article_names: translate::ArticleNames,
    output_language: Language,
    llm: bool,
    decoding: Decoding,
    /// The summary's own units, as the model writes them (source-language units when a
    /// translation follows).
    units: CheckedUnits,
    cross: Option<CrossLanguage>,
    best: Option<BestOf>,
    /// Translations the checks dropped (the summary's own drops are in `units`).
    dropped: Vec<Dropped>,
    fallback_reason: Option<String>,
    accepted: Vec<String>,
    /// Of `accepted`, units added to make up the count (`fill`).
    filled: usize,
    found: Vec<Violation>,
    pending_output: Option<String>,
    done: bool,
    fallback: bool,
    timing: Timing,
    tokens: Tokens,
}

/// Whether these options need the LLM (otherwise the extractive core answers).
pub fn needs_llm(options: &SummaryOptions, input: Language) -> bool {
    options.kind != SummaryType::KeyPoints || options.rephrase || options.output_language.is_some_and(|l| l != input && input != Language::Mixed)
}

/// Article tokens given to the model per type and length (see the README's bench for the
/// time this buys: prefill dominates an LLM summary).
fn input_budget(options: &SummaryOptions) -> usize {
    let base = match options.kind {
        SummaryType::Headline | SummaryType::Tldr | SummaryType::Teaser => 128,
        SummaryType::KeyPoints => 256,
    };
    match options.length {
        super::Length::Short => base,
        super::Length::Medium => base * 2,
        super::Length::Long => base * 3,
    }
}

impl SummaryJob {
    /// Validates the input and, for extractive key points, answers at once.
    pub(super) fn new(text: &str, options: SummaryOptions) -> Result<Self> {
        let t0 = now_ms();
        let prepared = prepare(text)?;
        let input_language = prepared.language;
        let output_language = match options.output_language {
            Some(l) => l,
            None if input_language == Language::Mixed => Language::Zh,
            None => input_language,
        };
        let cross = output_language != input_language && input_language != Language::Mixed;
        let mut job = SummaryJob {
            source: guard::Source::new(&prepared.text),
            support: SupportIndex::new(&prepared.sentences),
            source_latin: source_latin(&prepared.text),
            article_names: translate::ArticleNames::of(&prepared.sentences),
            llm: needs_llm(&options, input_language),
            units: CheckedUnits::new(cut(options.kind), unit_limit(options.kind, options.length)),
            options,
            prepared,
            output_language,
            decoding: Decoding::default(),
            cross: cross.then(CrossLanguage::default),
            best: None,
            dropped: Vec::new(),
            fallback_reason: None,
            accepted: Vec::new(),
            filled: 0,
            found: Vec::new(),
            pending_output: None,
            done: false,
            fallback: false,
            timing: Timing::default(),
            tokens: Tokens::default(),
        };
        if !job.llm {
            job.accepted = extract(&job.prepared, job.options.length.key_points());
            job.pending_output = Some(job.text());
            job.done = true;
        }
        job.timing.extract_ms = now_ms() - t0;
        Ok(job)
    }

    /// Validates the input, and for LLM summaries compresses it and starts the generation.
    /// `llm` is None when the model is not loaded: LLM-only options are then `Unsupported`.
    pub fn start(text: &str, options: SummaryOptions, llm: Option<(&Engine, &mut Session)>) -> Result<Self> {
        let t0 = now_ms();
        let mut job = Self::new(text, options)?;
        if !job.llm {
            return Ok(job);
        }
        let Some((engine, session)) = llm else {
            return Err(Error::Unsupported(format!(
                "a {} summary needs the language model, which is not loaded",
                job.options.kind.name()
            )));
        };
        if let Some(cross) = job.cross.as_mut() {
            if job.options.kind == SummaryType::KeyPoints && !job.options.rephrase {
                // Extracted key points need no summary step: translate them directly.
                cross.source_units = extract(&job.prepared, job.options.length.key_points());
                cross.summary_done = true;
                job.timing.extract_ms = now_ms() - t0;
                return Ok(job);
            }
        }
        let compressed = compress::to_budget(&job.prepared, &engine.tokenizer, input_budget(&job.options));
        job.tokens.input = compressed.tokens;
        job.timing.extract_ms = now_ms() - t0;
        // The summary is written in the source's language when a translation follows.
        let summary_language = if job.cross.is_some() { job.prepared.language } else { job.output_language };
        let prompt = prompt::build(&compressed.text, &job.options, job.prepared.language, summary_language);
        // Latin letters in Chinese only where the source has them (names such as "Mate 80").
        let mut mask = guarded::script_mask(&engine.tokenizer, summary_language, &job.source_latin);
        if job.options.kind == SummaryType::Headline {
            mask.ban_chars(&engine.tokenizer, SPLICE_CHARS);
        }
        let generate = guarded::greedy(prompt.max_tokens, Some(mask));
        if job.options.quality == Quality::Best {
            job.best = Some(BestOf { prompt: prompt.text.clone(), generate: generate.clone(), current: Vec::new(), done: Vec::new(), generated: 0, choice: None });
        }
        job.tokens.prompt = session.start(engine, &prompt.text, generate)?;
        job.tokens.reused = session.reused_tokens;
        Ok(job)
    }

    /// Post-processing and guard applied to a given model output, as if the LLM had written
    /// it (in pieces of `piece_chars`): what tests use to check the guard on crafted
    /// hallucinations, and what a caller can use to check text from another model.
    pub fn replay(text: &str, options: SummaryOptions, model_output: &str, piece_chars: usize) -> Result<(String, SummaryResult)> {
        let mut job = Self::new(text, options)?;
        let mut streamed = job.pending_output.take().unwrap_or_default();
        if !job.done {
            let unit_language = job.unit_language();
            let mut check = UnitChecks::of(&job.options, unit_language, &job.source, &job.support, &job.source_latin, &mut job.found);
            let kept = job.units.replay(model_output, piece_chars, &mut check);
            streamed.push_str(&job.show(kept));
            streamed.push_str(&job.finish());
            job.done = true;
        }
        Ok((streamed, job.result()))
    }

    pub fn is_done(&self) -> bool {
        self.done && self.pending_output.is_none()
    }

    /// The next piece of verified text (possibly empty while the prompt is read or a unit is
    /// still being written), or None when the summary is complete.
    pub fn step(&mut self, llm: Option<(&Engine, &mut Session)>) -> Result<Option<String>> {
        if let Some(out) = self.pending_output.take() {
            return Ok(Some(out));
        }
        if self.done {
            return Ok(None);
        }
        let (engine, session) = llm.ok_or_else(|| Error::InvalidInput("this summary needs the language model".into()))?;
        if self.cross.as_ref().is_some_and(|c| c.summary_done) {
            return self.translate_step(engine, session).map(Some);
        }
        let unit_language = self.unit_language();
        let mut check = UnitChecks::of(&self.options, unit_language, &self.source, &self.support, &self.source_latin, &mut self.found);
        let (kept, generated, done) = match self.decoding.step_units(&mut self.units, &mut check, engine, session)? {
            Wrote::Prompt => return Ok(Some(String::new())),
            Wrote::Units { kept, generated, done } => (kept, generated, done),
        };
        let mut out = match self.best.as_mut() {
            Some(best) => {
                self.tokens.generated = best.generated + generated;
                best.current.extend(kept);
                String::new()
            }
            None => {
                self.tokens.generated = generated;
                self.show(kept)
            }
        };
        if done {
            self.decoding.end_generation();
            if self.best.is_some() {
                match self.next_candidate(engine, session)? {
                    Some(chosen) => out = self.show(chosen),
                    None => return Ok(Some(String::new())),
                }
            }
            if let Some(cross) = self.cross.as_mut() {
                cross.summary_done = true;
                return Ok(Some(out));
            }
            out.push_str(&self.finish());
            self.done = true;
        }
        Ok(Some(out))
    }

    /// `best`: files the finished generation as a candidate and starts the next one (None), or,
    /// after the last, chooses (Some: the chosen units; for a translation, the other
    /// candidates' units follow as spares).
    fn next_candidate(&mut self, engine: &Engine, session: &mut Session) -> Result<Option<Vec<String>>> {
        let best = self.best.as_mut().expect("a best-of summary");
        let finished = std::mem::replace(&mut self.units, CheckedUnits::new(cut(self.options.kind), unit_limit(self.options.kind, self.options.length)));
        best.generated = self.tokens.generated;
        best.done.push(Candidate { units: std::mem::take(&mut best.current), dropped: finished.dropped().len() });
        self.dropped.extend(finished.dropped().iter().map(|d| Dropped { unit: d.unit.clone(), reasons: d.reasons.clone(), source: None }));
        if best.done.len() < BEST_OF {
            let generate = candidates::sampling_for(&best.generate, best.done.len());
            self.tokens.prompt += session.start(engine, &best.prompt, generate)?;
            self.tokens.reused += session.reused_tokens;
            return Ok(None);
        }
        let key = extract(&self.prepared, unit_limit(self.options.kind, self.options.length).max(3));
        let choice = candidates::choose(&best.done, &key);
        let mut units = best.done[choice.chosen].units.clone();
        if self.cross.is_some() {
            let mut order: Vec<usize> = (0..best.done.len()).filter(|&i| i != choice.chosen).collect();
            order.sort_by(|&a, &b| choice.scores[b].total_cmp(&choice.scores[a]));
            for i in order {
                units.extend(best.done[i].units.iter().filter(|u| !units.contains(u)).cloned().collect::<Vec<_>>());
            }
        }
        best.choice = Some(choice);
        Ok(Some(units))
    }

    /// One step of the translation phase: start the next sentence's translation, read its
    /// prompt, or decode one token; a finished translation is checked and shown or dropped.
    fn translate_step(&mut self, engine: &Engine, session: &mut Session) -> Result<String> {
        let mut cross = self.cross.take().expect("cross-language job");
        let out = self.translate_step_with(&mut cross, engine, session);
        self.cross = Some(cross);
        out
    }

    fn translate_step_with(&mut self, cross: &mut CrossLanguage, engine: &Engine, session: &mut Session) -> Result<String> {
        let limit = unit_limit(self.options.kind, self.options.length);
        let (from, to) = (self.prepared.language, self.output_language);
        if cross.current.is_none() {
            if self.accepted.len() >= limit {
                return Ok(self.complete());
            }
            // A unit that lost the name it opens with goes again before the next one (and
            // before the queue's end, when it was the last).
            let Some((unit, opening)) = cross.take_next() else {
                if self.queue_fill(cross) {
                    return Ok(String::new());
                }
                if !self.accepted.is_empty() || cross.tried_clauses {
                    return Ok(self.complete());
                }
                if cross.tried_extractive {
                    // Whole key sentences lost a number or name in translation: their
                    // clauses are shorter, more literal tasks.
                    cross.tried_clauses = true;
                    let spans = self.clause_units();
                    // The summary is short of its count by then; filling it would translate
                    // more whole sentences like those that just failed.
                    cross.fill_from = Some(cross.source_units.len());
                    cross.queue_untried(spans);
                    return Ok(String::new());
                }
                // Nothing translated yet: translate the extractive summary instead.
                cross.tried_extractive = true;
                let fallback = match self.options.kind {
                    SummaryType::KeyPoints => extract(&self.prepared, self.options.length.key_points()),
                    // Not the key sentence cut to length: its translation would end mid-phrase.
                    SummaryType::Headline => self.extractive_headlines(false),
                    _ => extract(&self.prepared, self.options.length.sentences()),
                };
                cross.queue_untried(fallback);
                self.fallback = true;
                return Ok(String::new());
            };
            let request = Request::in_article(&unit, from, to, &self.article_names);
            let mut constraints = request.constraints(&engine.tokenizer);
            if self.options.kind == SummaryType::Headline {
                constraints.ban_chars(&engine.tokenizer, SPLICE_CHARS);
            }
            let generate = GenerateOptions {
                max_tokens: request.max_tokens(&engine.tokenizer),
                stop: vec!["\n".into()],
                sampling: SamplingOptions { temperature: 0.0, repetition_penalty: 1.0, ..Default::default() },
                constraints: Some(std::sync::Arc::new(constraints)),
                ..Default::default()
            };
            // The forced opening is part of the prompt (the answer's first words) and of the text.
            self.tokens.prompt += session.start(engine, &format!("{}{opening}", request.prompt()), generate)?;
            self.tokens.reused += session.reused_tokens;
            cross.current = Some((request, unit, opening));
            return Ok(String::new());
        }
        let piece = match self.decoding.advance(engine, session)? {
            Advance::Prefilled => return Ok(String::new()),
            Advance::Token(piece) => piece,
        };
        self.tokens.generated += usize::from(piece.is_some());
        let (request, unit, raw) = cross.current.as_mut().expect("a translation in progress");
        if let Some(p) = piece {
            raw.push_str(&p);
            return Ok(String::new());
        }
        // Checked whole, then (a headline) cut to its length.
        let full = clean_unit(raw.trim());
        let found = request.check(unit, &full);
        let retry = name_retry(request, &found).filter(|_| !cross.retried.contains(unit));
        let mut problems: Vec<String> = found.iter().map(|p| p.reason()).collect();
        let translation = if self.options.kind == SummaryType::Headline {
            let (cut, clean) = cut_headline(&full, self.options.length.headline_words());
            if !clean {
                problems.push(CUT_MID_PHRASE.to_string());
            }
            // A translation may run a little longer than the source headline, but it must
            // still say what happened ("Jiangzhou, a city with…" lost its verb to the cut) in
            // one sentence.
            problems.extend(headline_problems(&cut, self.output_language).into_iter().filter(|p| p == NO_VERB || p == TWO_SENTENCES || p == A_LIST));
            problems.extend(too_short(&cut, self.output_language));
            cut
        } else {
            full
        };
        // The source headline passed the shape rule already; a translation is only cut to the
        // length (a faithful 26-character rendering of a 12-word headline is not wrong) and
        // must not be a colon splice.
        if self.options.kind == SummaryType::Headline && translation.contains([':', '：']) {
            problems.push("headline: not one sentence (colon)".to_string());
        }
        let mut out = String::new();
        if problems.is_empty() && !self.accepted.contains(&translation) {
            let shown = super::names::annotate(&translation, &request.names, &mut cross.shown);
            out.push_str(&unit_prefix(self.options.kind, self.options.format, self.output_language, self.accepted.len()));
            out.push_str(&shown);
            self.accepted.push(shown);
            cross.translated_from.push(unit.clone());
            if cross.fill_from.is_some_and(|from| cross.next > from) {
                self.filled += 1;
            }
        } else if !problems.is_empty() {
            self.dropped.push(Dropped { unit: translation, reasons: problems, source: Some(unit.clone()) });
            if let Some(name) = retry {
                cross.retried.push(unit.clone());
                cross.retry = Some((unit.clone(), name));
            }
        }
        cross.current = None;
        self.decoding.end_generation();
        Ok(out)
    }

    /// The end of a cross-language summary: done, or the source-language fallback with the
    /// reason when nothing in the requested language passed.
    fn complete(&mut self) -> String {
        self.done = true;
        if !self.accepted.is_empty() {
            return String::new();
        }
        self.fallback = true;
        self.fallback_reason = Some(format!(
            "no sentence could be put into {} and pass the checks; this is the extractive summary in the article's language",
            language_name(self.output_language)
        ));
        self.output_language = self.prepared.language;
        self.finish()
    }

    /// The language the summary's own units are written in: the source's when a translation
    /// follows.
    fn unit_language(&self) -> Language {
        if self.cross.is_some() { self.prepared.language } else { self.output_language }
    }

    /// Units that passed the checks: the text to emit (for a cross-language summary they are
    /// queued for translation instead).
    fn show(&mut self, kept: Vec<String>) -> String {
        let mut out = String::new();
        for unit in kept {
            if let Some(cross) = self.cross.as_mut() {
                cross.source_units.push(unit);
                continue;
            }
            out.push_str(&unit_prefix(self.options.kind, self.options.format, self.output_language, self.accepted.len()));
            out.push_str(&unit);
            self.accepted.push(unit);
        }
        out
    }

    /// Text to emit at the end: the extractive fallback when no unit survived.
    fn finish(&mut self) -> String {
        if !self.accepted.is_empty() {
            return self.fill_up();
        }
        self.fallback = true;
        self.accepted = match self.options.kind {
            SummaryType::KeyPoints => extract(&self.prepared, self.options.length.key_points()),
            SummaryType::Headline => self.extractive_headlines(true).into_iter().take(1).collect(),
            _ => extract(&self.prepared, self.options.length.sentences()),
        };
        self.text()
    }

    /// Makes up a short same-language summary's count with the article's next key sentences
    /// (`fill`); the text to emit.
    fn fill_up(&mut self) -> String {
        let limit = unit_limit(self.options.kind, self.options.length);
        if self.options.kind == SummaryType::Headline || self.accepted.len() >= limit {
            return String::new();
        }
        let missing = limit - self.accepted.len();
        let ranked = extract_ranked(&self.prepared, limit + missing + fill::EXTRA_TRIES);
        let mut out = String::new();
        for unit in fill::candidates(ranked, &[], &self.accepted).into_iter().take(missing) {
            out.push_str(&unit_prefix(self.options.kind, self.options.format, self.output_language, self.accepted.len()));
            out.push_str(&unit);
            self.accepted.push(unit);
            self.filled += 1;
        }
        out
    }

    /// Queues the article's next key sentences for translation when the translated summary is
    /// short of its count (once per summary); false when there is nothing to queue.
    fn queue_fill(&self, cross: &mut CrossLanguage) -> bool {
        let limit = unit_limit(self.options.kind, self.options.length);
        if cross.fill_from.is_some() || self.options.kind == SummaryType::Headline || self.accepted.is_empty() || self.accepted.len() >= limit {
            return false;
        }
        let tries = limit - self.accepted.len() + fill::EXTRA_TRIES;
        let ranked = extract_ranked(&self.prepared, cross.source_units.len() + limit + tries);
        let queue: Vec<String> = fill::candidates(ranked, &cross.source_units, &cross.translated_from).into_iter().take(tries).collect();
        cross.fill_from = Some(cross.source_units.len());
        cross.source_units.extend(queue);
        cross.next < cross.source_units.len()
    }

    /// The last units a cross-language summary tries before giving up: clause spans of the
    /// article's key sentences that read as a sentence on their own (subject first, a verb),
    /// as sentences. Not for a headline, whose fallback is spans of the headline's shape.
    pub(super) fn clause_units(&self) -> Vec<String> {
        if self.options.kind == SummaryType::Headline {
            return Vec::new();
        }
        let limit = unit_limit(self.options.kind, self.options.length);
        let stop = if self.prepared.language == Language::Zh { "。" } else { "." };
        let key = extract_ranked(&self.prepared, limit + fill::EXTRA_TRIES);
        headline::clause_sentences(&key, self.prepared.language, CLAUSE_SENTENCE_WORDS)
            .into_iter()
            .take(limit + fill::EXTRA_TRIES)
            .map(|span| format!("{span}{stop}"))
            .collect()
    }

    /// Headlines taken from the article's key sentences, best first: clause spans with a
    /// headline's shape, then (`with_cut`, if none has it) the key sentence cut to the length.
    fn extractive_headlines(&self, with_cut: bool) -> Vec<String> {
        let words = self.options.length.headline_words();
        let best = extract(&self.prepared, 1);
        let mut key = best.clone();
        key.extend(extract(&self.prepared, 3).into_iter().filter(|s| !best.contains(s)));
        let mut out = headline::extractive(&key, self.prepared.language, words);
        for cut in best.iter().filter(|_| with_cut).map(|s| limit_headline(s, words)) {
            if !out.contains(&cut) {
                out.push(cut);
            }
        }
        out
    }

    fn text(&self) -> String {
        join_units(self.options.kind, self.options.format, self.output_language, &self.accepted)
    }

    pub fn result(&self) -> SummaryResult {
        let text = self.text();
        let remaining = if self.output_language == self.prepared.language { self.source.check(&text).len() } else { 0 };
        let found = self.found.len();
        SummaryResult {
            kind: self.options.kind.name(),
            language: self.prepared.language,
            output_language: self.output_language,
            units: self.accepted.clone(),
            llm: self.llm,
            fallback: self.fallback,
            fallback_reason: self.fallback_reason.clone(),
            source_units: self.cross.as_ref().map(|c| c.source_units.clone()).unwrap_or_default(),
            translated_from: self.cross.as_ref().filter(|_| self.fallback_reason.is_none()).map(|c| c.translated_from.clone()).unwrap_or_default(),
            filled: self.filled,
            dropped: self
                .units
                .dropped()
                .iter()
                .map(|d| Dropped { unit: d.unit.clone(), reasons: d.reasons.clone(), source: None })
                .chain(self.dropped.iter().cloned())
                .collect(),
            violations: Violations { found, repaired: found, remaining, details: self.found.clone() },
            timing: Timing { prefill_ms: self.decoding.prefill_ms(), decode_ms: self.decoding.decode_ms(), ..self.timing.clone() },
            candidates: self.best.as_ref().and_then(|b| b.choice.clone()),
            tokens: {
                let drafts = self.decoding.drafts();
                Tokens { drafted: drafts.drafted, draft_accepted: drafts.accepted, draft_passes: drafts.verifications, ..self.tokens.clone() }
            },
            text,
        }
    }
}

/// The checks a summary's own units pass before they are shown: the script, a headline's
/// shape, the faithfulness guard (numbers and names; what it finds is counted in `found`) and
/// support by the source's sentences.
struct UnitChecks<'a> {
    kind: SummaryType,
    headline_words: usize,
    /// The headline being checked had to be cut mid-phrase to fit.
    cut_mid_phrase: bool,
    language: Language,
    source: &'a guard::Source,
    support: &'a SupportIndex,
    source_latin: &'a [String],
    found: &'a mut Vec<Violation>,
}

impl<'a> UnitChecks<'a> {
    fn of(
        options: &SummaryOptions,
        language: Language,
        source: &'a guard::Source,
        support: &'a SupportIndex,
        source_latin: &'a [String],
        found: &'a mut Vec<Violation>,
    ) -> Self {
        Self { kind: options.kind, headline_words: options.length.headline_words(), cut_mid_phrase: false, language, source, support, source_latin, found }
    }
}

impl UnitCheck for UnitChecks<'_> {
    /// A headline is cut to its length (at a comma if it can) before it is checked.
    fn shape(&mut self, unit: String) -> String {
        if self.kind == SummaryType::Headline {
            let (cut, clean) = cut_headline(&unit, self.headline_words);
            self.cut_mid_phrase = !clean;
            cut
        } else {
            unit
        }
    }

    fn problems(&mut self, unit: &str) -> Vec<String> {
        let mut reasons: Vec<String> = script_problems(unit, self.language, self.source_latin).iter().map(|p| p.reason()).collect();
        if self.kind == SummaryType::Headline {
            reasons.extend(headline_problems(unit, self.language));
            if self.cut_mid_phrase {
                reasons.push(CUT_MID_PHRASE.to_string());
            }
        }
        let violations = self.source.check(unit);
        reasons.extend(violations.iter().map(|v| format!("{} not in the source: {}", if v.kind == guard::FactKind::Number { "number" } else { "name" }, v.text)));
        self.found.extend(violations);
        reasons.extend(self.support.check(unit).iter().map(|p| p.reason()));
        reasons
    }
}

const CUT_MID_PHRASE: &str = "headline: too long, and no comma to cut it at";

/// The distinct Latin words of a text (computed once per summary, read for every unit).
fn source_latin(text: &str) -> Vec<String> {
    let mut words = translate::latin_words(text);
    words.sort();
    words.dedup();
    words
}

fn language_name(language: Language) -> &'static str {
    match language {
        Language::Zh => "Chinese",
        _ => "English",
    }
}

/// Runs a whole summary; `on_text` gets each verified piece (empty ones while the prompt is
/// read) and returns false to cancel.
pub fn summarize(
    text: &str,
    options: SummaryOptions,
    mut llm: Option<(&Engine, &mut Session)>,
    mut on_text: impl FnMut(&str) -> bool,
) -> Result<SummaryResult> {
    let mut job = SummaryJob::start(text, options, llm.as_mut().map(|(e, s)| (*e, &mut **s)))?;
    while let Some(piece) = job.step(llm.as_mut().map(|(e, s)| (*e, &mut **s)))? {
        // Called for empty pieces too (prefill chunks), so a cancel lands within one chunk.
        if !on_text(&piece) {
            if let Some((_, s)) = llm.as_mut() {
                s.cancel();
            }
            return Err(Error::Aborted);
        }
    }
    Ok(job.result())
}

#[cfg(test)]
mod name_retry_tests {
    use super::*;

    #[test]
    fn only_a_name_the_sentence_opens_with_is_forced() {
        let request = Request::new("Tomas Reyes won the men's race in 2:11:37.", Language::En, Language::Zh);
        let lost = [Problem::LostName("Tomas Reyes".into())];
        assert_eq!(name_retry(&request, &lost).as_deref(), Some("Tomas Reyes"));
        // Other problems alone do not retry.
        assert_eq!(name_retry(&request, &[Problem::LostNumber("2".into())]), None);
        // A name inside the sentence has no place to be forced at.
        let inside = Request::new("The race was won by Tomas Reyes in 2:11:37.", Language::En, Language::Zh);
        assert_eq!(name_retry(&inside, &lost), None);
    }

    #[test]
    fn a_retry_of_the_last_queued_unit_is_still_taken() {
        let mut cross = CrossLanguage { source_units: vec!["A.".into(), "Tomas Reyes won.".into()], ..Default::default() };
        assert_eq!(cross.take_next(), Some(("A.".into(), String::new())));
        assert_eq!(cross.take_next(), Some(("Tomas Reyes won.".into(), String::new())));
        // The last unit lost its opening name: the queue is spent, the retry is not.
        cross.retry = Some(("Tomas Reyes won.".into(), "Tomas Reyes".into()));
        assert_eq!(cross.take_next(), Some(("Tomas Reyes won.".into(), "Tomas Reyes".into())));
        assert_eq!(cross.take_next(), None);
    }
}
