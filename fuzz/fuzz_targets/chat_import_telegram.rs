#![no_main]

include!("../../crates/parta-server/tests/api/fuzz_checks.rs");

libfuzzer_sys::fuzz_target!(|data: &[u8]| check_chat_import_telegram(data));
