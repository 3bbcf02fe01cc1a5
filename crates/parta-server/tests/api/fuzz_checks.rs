// What the fuzz targets check (each `fuzz/fuzz_targets/*.rs` includes this file), and
// what `cargo test` replays over the kept corpus and every crash input (`corpus.rs`).
// Each check takes untrusted bytes, must never panic, and asserts what must hold.

/// The message formatting language, mentions and search terms.
pub fn check_format(data: &[u8]) {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let blocks = parta_domain::format::parse(body);
    for span in blocks.iter().flat_map(|b| &b.spans) {
        if let Some(link) = &span.link {
            assert!(parta_domain::format::safe_link(link), "unsafe link {link:?} from {body:?}");
        }
    }
    let _ = parta_domain::format::plain_text(&blocks);
    // Mentions of people who are not in the chat (odd ids here) become text: none survives.
    let rewritten =
        parta_domain::format::rewrite_mentions(body, |user| (user.0 % 2 == 0).then(|| format!("Имя {}", user.0)));
    for user in parta_domain::format::mentions(&rewritten) {
        assert!(user.0 % 2 == 0, "a mention of {user:?} survived in {rewritten:?} (from {body:?})");
    }
    assert!(parta_domain::search::terms(body).len() <= parta_domain::search::MAX_TERMS);
    assert!(parta_domain::search::query_terms(body).len() <= parta_domain::search::MAX_QUERY_WORDS);
}

/// WebSocket frames from clients.
pub fn check_client_frame(data: &[u8]) {
    if let Ok(frame) = serde_json::from_slice::<parta_protocol::ClientFrame>(data) {
        // What parses serialises again.
        let _ = serde_json::to_string(&frame).expect("a parsed frame serialises");
    }
}

/// Upload metadata and contents: file names, content sniffing, `Range` headers and
/// image previews (decoding limits hold against crafted images).
pub fn check_upload(data: &[u8]) {
    let content_type = parta_server::blobs::sniff_any(data);
    assert!(!content_type.is_empty());
    if let Ok(text) = std::str::from_utf8(data) {
        let name = parta_server::actions::applications::display_name(text);
        assert!(!name.contains('/') && !name.contains('\\') && !name.chars().any(char::is_control), "{name:?}");
        assert!(name.chars().count() <= 200);
        for size in [0u64, 1, 1000] {
            if let Ok(Some((start, end))) = parta_server::blobs::byte_range(Some(text), size) {
                assert!(start <= end && end < size, "{text:?} on {size} bytes gave {start}-{end}");
            }
        }
    }
    if let Some(preview) = parta_server::thumbnails::make(data) {
        assert_eq!(&preview[..2], &[0xFF, 0xD8], "previews are JPEG");
    }
}

/// The OneRoster CSV reader: the bytes as a whole bundle, and as the `users.csv` of a
/// bundle otherwise whole. Never a panic; a refused row names a line the file has; a
/// bundle refused whole says why with a code the API explains.
pub fn check_roster(data: &[u8]) {
    use std::io::Write;
    let _ = parta_server::oneroster::read_zip(data);
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let files: [(&str, &[u8]); 6] = [
        ("manifest.csv", b"propertyName,value\noneroster.version,1.2\n"),
        ("orgs.csv", b"sourcedId,name,type\ns1,School,school\n"),
        ("classes.csv", b"sourcedId,title,classType,schoolSourcedId,termSourcedIds\nc1,5A,homeroom,s1,\n"),
        ("users.csv", data),
        ("roles.csv", b"userSourcedId,role,orgSourcedId\nu1,student,s1\n"),
        ("enrollments.csv", b"classSourcedId,userSourcedId,role\nc1,u1,student\n"),
    ];
    for (name, bytes) in files {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("an entry");
        zip.write_all(bytes).expect("written");
    }
    let bundle = zip.finish().expect("a zip").into_inner();
    let lines = data.iter().filter(|b| **b == b'\n').count() as u32 + 1;
    match parta_server::oneroster::read_zip(&bundle) {
        Ok(read) => {
            for note in read.rejected.iter().chain(&read.left).filter(|n| n.file == "users.csv") {
                assert!(note.line >= 2 && note.line <= lines, "line {} of {lines}: {note:?}", note.line);
            }
            for user in &read.users {
                assert!(!user.sourced_id.is_empty() && !user.family_name.is_empty() && !user.given_name.is_empty());
                assert!(user.role.is_some(), "{user:?}");
            }
        }
        Err(error) => {
            assert!(["not_utf8", "column_missing", "unreadable", "too_large"].contains(&error.code), "{error:?}")
        }
    }
}

/// What every chat export that parses must be: messages with keys unique in it, of
/// its source's kind; texts within the body limit; files by paths inside the export.
/// A refusal says why with a code the API explains.
fn check_chat_export(
    result: Result<parta_server::chat_import::Export, parta_server::chat_import::ExportError>,
    prefix: &str,
) {
    use parta_server::chat_import::{BODY_LIMIT, Media};
    match result {
        Ok(export) => {
            assert!(!export.entries.is_empty());
            let mut keys = std::collections::HashSet::new();
            for entry in &export.entries {
                assert!(entry.key.starts_with(prefix), "{:?}", entry.key);
                assert!(keys.insert(entry.key.clone()), "key {:?} twice", entry.key);
                assert!(!entry.author.trim().is_empty());
                assert!(entry.text.chars().count() <= BODY_LIMIT);
                if let Some(Media::File { path, .. }) = &entry.media {
                    assert!(!path.is_empty() && !path.starts_with('/'), "{path:?}");
                    assert!(
                        path.split('/').all(|part| part != ".." && !part.is_empty() && !part.contains(':')),
                        "{path:?}"
                    );
                }
            }
        }
        Err(error) => assert!(
            [
                "too_large",
                "line_too_long",
                "not_utf8",
                "invalid_json",
                "unknown_format",
                "no_messages",
                "too_many_messages",
                "unsafe_path",
                "unreadable",
            ]
            .contains(&error.code),
            "{error:?}"
        ),
    }
}

/// Telegram Desktop's `result.json`.
pub fn check_chat_import_telegram(data: &[u8]) {
    let result = parta_server::chat_import::checked_text("result.json", data)
        .and_then(|text| parta_server::chat_import::telegram::parse("result.json", text));
    check_chat_export(result, "tg:");
}

/// WhatsApp's «export chat» text, bare and zipped with a file beside it.
pub fn check_chat_import_whatsapp(data: &[u8]) {
    use std::io::Write;
    let result = parta_server::chat_import::checked_text("chat.txt", data)
        .and_then(|text| parta_server::chat_import::whatsapp::parse("chat.txt", text));
    let parsed = result.as_ref().map(|e| e.entries.len()).ok();
    check_chat_export(result, "wa:");
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in [("WhatsApp Chat.txt", data), ("IMG-20240112-WA0001.jpg", b"\xFF\xD8\xFF".as_slice())] {
        zip.start_file(name, zip::write::SimpleFileOptions::default()).expect("an entry");
        zip.write_all(bytes).expect("written");
    }
    let bundle = zip.finish().expect("a zip").into_inner();
    if let Ok(opened) = parta_server::chat_import::bundle::read(std::io::Cursor::new(bundle), 1 << 20) {
        assert_eq!(Some(opened.export.entries.len()), parsed, "zipped and bare read alike");
        assert!(opened.files.keys().all(|i| *i < opened.export.entries.len()));
    }
}
