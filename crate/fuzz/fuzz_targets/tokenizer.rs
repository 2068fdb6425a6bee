#![no_main]

// The real Qwen2 tokenizer when models/dist (or $QINGYU_FUZZ_GGUF) has the model, else a
// synthetic byte-level BPE one; loaded once, before the first input.
libfuzzer_sys::fuzz_target!(
    init: {
        qingyu::fuzzing::fuzz_tokenizer();
    },
    |data: &[u8]| qingyu::fuzzing::tokenizer_round_trip(qingyu::fuzzing::fuzz_tokenizer(), data)
);
