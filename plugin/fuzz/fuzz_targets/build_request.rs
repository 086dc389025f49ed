//! libFuzzer entry point: every input is decoded into a tool and an argument
//! object, validated and built, and the result checked (see `src/lib.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| ringcentral_fuzz::check(data));
