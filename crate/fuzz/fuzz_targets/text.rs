#![no_main]

libfuzzer_sys::fuzz_target!(
    init: {
        qingyu::fuzzing::text_warm_up();
    },
    |data: &[u8]| qingyu::fuzzing::text(data)
);
