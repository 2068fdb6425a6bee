//! Streaming detokenization: tokens end in the middle of UTF-8 characters (a Chinese
//! character is often two byte-level tokens), so text is released only once complete.

use super::Tokenizer;

/// Turns a stream of byte chunks into text, holding back an incomplete UTF-8 sequence at the
/// end until the bytes that complete it arrive. Bytes that can never be valid UTF-8 come out
/// as U+FFFD, so nothing is held for long. Owns no tokenizer (handy to keep in a struct).
#[derive(Debug, Default, Clone)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes and returns the text that is now complete (possibly empty).
    pub fn push_bytes(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let mut out = String::new();
        let mut rest: &[u8] = &self.pending;
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    out.push_str(s);
                    rest = &[];
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    out.push_str(std::str::from_utf8(valid).unwrap());
                    match e.error_len() {
                        // Invalid bytes: replace them and carry on.
                        Some(bad) => {
                            out.push(char::REPLACEMENT_CHARACTER);
                            rest = &after[bad..];
                        }
                        // A sequence cut short by the end of the input: wait for more.
                        None => {
                            rest = after;
                            break;
                        }
                    }
                }
            }
        }
        let keep = rest.len();
        self.pending.drain(..self.pending.len() - keep);
        out
    }

    /// Bytes held back, waiting for the rest of a character.
    pub fn pending(&self) -> &[u8] {
        &self.pending
    }

    /// Ends the stream: whatever is still held comes out (as U+FFFD when incomplete).
    pub fn finish(&mut self) -> String {
        let out = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        out
    }
}

/// Decodes generated tokens one at a time into complete UTF-8 text.
pub struct StreamDecoder<'t> {
    tokenizer: &'t Tokenizer,
    stream: Utf8Stream,
}

impl<'t> StreamDecoder<'t> {
    pub fn new(tokenizer: &'t Tokenizer) -> Self {
        Self { tokenizer, stream: Utf8Stream::new() }
    }

    /// The text this token completes (empty while a character is still partial).
    pub fn push(&mut self, id: u32) -> String {
        self.stream.push_bytes(self.tokenizer.token_bytes(id))
    }

    /// Flushes a trailing incomplete character (as U+FFFD) at the end of generation.
    pub fn finish(&mut self) -> String {
        self.stream.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Utf8Stream;

    #[test]
    fn holds_partial_characters() {
        let text = "中文😀é";
        let bytes = text.as_bytes();
        let mut s = Utf8Stream::new();
        let mut out = String::new();
        for b in bytes {
            let piece = s.push_bytes(&[*b]);
            assert!(!piece.contains('\u{FFFD}'));
            out += &piece;
        }
        assert_eq!(out, text);
        assert!(s.pending().is_empty());
        assert_eq!(s.finish(), "");
    }

    #[test]
    fn chunks_split_anywhere() {
        let text = "a中b文😀c";
        let bytes = text.as_bytes();
        for cut1 in 0..=bytes.len() {
            for cut2 in cut1..=bytes.len() {
                let mut s = Utf8Stream::new();
                let out = s.push_bytes(&bytes[..cut1]) + &s.push_bytes(&bytes[cut1..cut2]) + &s.push_bytes(&bytes[cut2..]);
                assert_eq!(out, text, "cuts at {cut1}, {cut2}");
            }
        }
    }

    #[test]
    fn partial_sequence_is_held_until_complete() {
        let mut s = Utf8Stream::new();
        assert_eq!(s.push_bytes(b"ok \xE4\xB8"), "ok ");
        assert_eq!(s.pending(), b"\xE4\xB8");
        assert_eq!(s.push_bytes(b"\xAD!"), "中!");
    }

    #[test]
    fn invalid_bytes_are_replaced_not_held() {
        let mut s = Utf8Stream::new();
        assert_eq!(s.push_bytes(b"a\xFFb"), "a\u{FFFD}b");
        // A lead byte followed by a non-continuation byte can never complete.
        assert_eq!(s.push_bytes(b"\xE4x"), "\u{FFFD}x");
        assert_eq!(s.push_bytes(b"\xE4\xB8"), "");
        assert_eq!(s.finish(), "\u{FFFD}");
        assert!(s.pending().is_empty());
    }
}
