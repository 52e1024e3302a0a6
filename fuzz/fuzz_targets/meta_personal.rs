#![no_main]
// The body and its properties live in tamga-fuzzing, shared with the stable replay.
libfuzzer_sys::fuzz_target!(|data: &[u8]| tamga_fuzzing::meta_personal(data));
