//! Replays the fuzz corpus (`fuzz/corpus/<target>`) and every crash input the fuzzer
//! ever found (`fuzz/regressions/<target>`) through the same checks the fuzz targets run.

use crate::fuzz_checks::{
    check_chat_import_telegram, check_chat_import_whatsapp, check_client_frame, check_format, check_roster,
    check_upload,
};

fn replay(target: &str, check: fn(&[u8])) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut inputs = 0;
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else { continue };
        for entry in entries.flatten() {
            let bytes = std::fs::read(entry.path()).expect("corpus file reads");
            check(&bytes);
            inputs += 1;
        }
    }
    assert!(inputs > 0, "no corpus for {target}");
}

#[test]
fn format_corpus() {
    replay("format", check_format);
}

#[test]
fn client_frame_corpus() {
    replay("client_frame", check_client_frame);
}

#[test]
fn upload_corpus() {
    replay("upload", check_upload);
}

#[test]
fn roster_corpus() {
    replay("roster", check_roster);
}

#[test]
fn chat_import_telegram_corpus() {
    replay("chat_import_telegram", check_chat_import_telegram);
}

#[test]
fn chat_import_whatsapp_corpus() {
    replay("chat_import_whatsapp", check_chat_import_whatsapp);
}
