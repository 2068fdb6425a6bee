//! The unit stream: the model's text comes in piece by piece, finished units are checked by
//! the job, and each is kept (shown to the reader) or dropped with its reasons. Once the job's
//! unit count is kept, later units are ignored.

use super::units::{finished_units, Cut};
use serde::Serialize;

/// What a job checks its units with.
pub trait UnitCheck {
    /// The unit as it would be shown (a headline cut to its length); by default unchanged.
    fn shape(&mut self, unit: String) -> String {
        unit
    }

    /// Why `unit` may not be shown (empty: it may). Called once per unit, in order, for every
    /// unit that is not empty, not a repeat and not past the count.
    fn problems(&mut self, unit: &str) -> Vec<String>;
}

/// A unit the check kept from the reader, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dropped {
    pub unit: String,
    pub reasons: Vec<String>,
}

/// One generation's units: the text so far, and what was kept and dropped.
#[derive(Debug, Clone)]
pub struct CheckedUnits {
    cut: Cut,
    /// Units kept at most.
    limit: usize,
    raw: String,
    /// Bytes of `raw` already cut into units.
    consumed: usize,
    kept: Vec<String>,
    dropped: Vec<Dropped>,
}

impl CheckedUnits {
    pub fn new(cut: Cut, limit: usize) -> Self {
        Self { cut, limit, raw: String::new(), consumed: 0, kept: Vec::new(), dropped: Vec::new() }
    }

    /// Appends model text.
    pub fn push(&mut self, piece: &str) {
        self.raw.push_str(piece);
    }

    /// Checks the units finished so far (with `done`, the rest too); returns the newly kept
    /// ones, in order.
    pub fn take(&mut self, done: bool, check: &mut impl UnitCheck) -> Vec<String> {
        let (units, rest) = finished_units(self.cut, &self.raw[self.consumed..], done);
        self.consumed += rest;
        let mut new = Vec::new();
        for unit in units {
            let unit = check.shape(unit);
            if self.is_full() || unit.is_empty() || self.kept.contains(&unit) {
                continue;
            }
            let reasons = check.problems(&unit);
            if !reasons.is_empty() {
                self.dropped.push(Dropped { unit, reasons });
                continue;
            }
            self.kept.push(unit.clone());
            new.push(unit);
        }
        new
    }

    /// The check applied to a given text as if the model had written it, in pieces of
    /// `piece_chars` characters, until the count is kept; returns the kept units. What tests
    /// use to check a job's guard on crafted inventions.
    pub fn replay(&mut self, text: &str, piece_chars: usize, check: &mut impl UnitCheck) -> Vec<String> {
        let mut kept = Vec::new();
        let chars: Vec<char> = text.chars().collect();
        for piece in chars.chunks(piece_chars.max(1)) {
            if self.is_full() {
                return kept;
            }
            self.push(&piece.iter().collect::<String>());
            kept.extend(self.take(false, check));
        }
        if !self.is_full() {
            kept.extend(self.take(true, check));
        }
        kept
    }

    /// The unit count is reached: the generation can stop.
    pub fn is_full(&self) -> bool {
        self.kept.len() >= self.limit
    }

    pub fn kept(&self) -> &[String] {
        &self.kept
    }

    pub fn dropped(&self) -> &[Dropped] {
        &self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Drops sentences that mention a dog.
    struct NoDogs;

    impl UnitCheck for NoDogs {
        fn problems(&mut self, unit: &str) -> Vec<String> {
            if unit.contains("dog") { vec!["object: dog".into()] } else { Vec::new() }
        }
    }

    #[test]
    fn units_are_kept_or_dropped_as_they_finish() {
        let mut units = CheckedUnits::new(Cut::Sentences, 2);
        units.push("A cat sits. A dog ");
        assert_eq!(units.take(false, &mut NoDogs), ["A cat sits."]);
        units.push("barks. A cat sits. Two cats");
        assert!(units.take(false, &mut NoDogs).is_empty(), "the repeat is not kept twice");
        assert!(!units.is_full());
        assert_eq!(units.take(true, &mut NoDogs), ["Two cats"]);
        assert!(units.is_full());
        assert_eq!(units.dropped(), [Dropped { unit: "A dog barks.".into(), reasons: vec!["object: dog".into()] }]);
    }

    #[test]
    fn replay_stops_at_the_count_in_any_piece_size() {
        for piece_chars in [1, 3, 100] {
            let mut units = CheckedUnits::new(Cut::Lines, 2);
            let kept = units.replay("- one\n- a dog\n- two\n- three\n- a dog again", piece_chars, &mut NoDogs);
            assert_eq!(kept, ["one", "two"], "{piece_chars}");
            assert_eq!(units.dropped().len(), 1, "nothing is checked past the count");
        }
    }
}
