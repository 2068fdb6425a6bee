//! Guarded generation: the one layer both language jobs (summaries, photo descriptions) write
//! through. The model's text streams in and is cut into units (bullets, sentences, a
//! headline); each unit is checked by the job before a reader sees it and is kept or dropped
//! with its reasons; generation stops at the job's unit count or its token budget. Streamed
//! text is therefore never taken back.
//!
//! - [`units`]: where a unit ends, and cleaning it.
//! - [`checked`]: the unit stream, the job's check ([`UnitCheck`]), kept and dropped units.
//! - [`decode`]: the decoding set-up (greedy, script masks) and stepping the model.
//!
//! The jobs supply what is theirs: the prompt, the check, and how kept units are joined.

pub mod checked;
pub mod decode;
pub mod units;

pub use checked::{CheckedUnits, Dropped, UnitCheck};
pub use decode::{greedy, script_mask, Decoding, Wrote};
pub use units::{clean_unit, finished_units, Cut};
