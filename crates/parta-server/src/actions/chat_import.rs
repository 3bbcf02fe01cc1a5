//! A chat's history brought in from another messenger's export, in two steps. The
//! upload (its permission checked and a place taken before a byte of it is read) is
//! streamed both to the blob store and to an unlinked temporary file, taken apart
//! (`chat_import::bundle`) and answered with a dry run — messages, period, files
//! found, missing and too large, each author with the member their name fits, what
//! is skipped. The import's row (`chat_imports`) and its upload stay for an hour, so
//! any node can apply it and answer its progress; one per importer, a new upload
//! replacing the last. Applying reads the upload back and takes it apart again,
//! with the confirmed mapping (each author a member or a named guest) and, for
//! WhatsApp, the time zone; it runs in the background, its progress written to its
//! row: the files go to the blob store first, then the messages a thousand a
//! transaction (the school's other writes wait for one at most), at positions in a
//! row after the chat's last with their original times, marked imported and keyed
//! so the same export again adds nothing. No notification, push or webhook is made
//! for them: the chat gets one event (`history_imported`) at its next position and
//! its readers fetch it afresh; whoever had read everything has read the history
//! too. A run that fails midway keeps what it committed; applying again adds the rest.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Seek, SeekFrom, Write};

use axum::body::{Body, Bytes};
use futures_util::StreamExt;
use parta_domain::validate::FieldError;
use parta_domain::{ChatId, FileId, MessageId, OrgId, UserId};
use parta_protocol::{
    ApplyChatImportRequest, ChatEvent, ChatImportAuthor, ChatImportFiles, ChatImportPreview, ChatImportProgress,
    ChatImportSkipped, PersonRef,
};
use sqlx::AnyConnection;

use crate::access::Actor;
use crate::blobs::BlobWriter;
use crate::chat_import::bundle::{self, FileState, Opened};
use crate::chat_import::{ExportError, Media, When, authors};
use crate::clock::{HOUR_MS, MINUTE_MS, now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;
use crate::store::chat_import::{Ended, ImportRow, NewImported};
use crate::store::chats::ChatRow;
use crate::work::Work;

/// How long an upload stays staged for applying, and a finished import's outcome.
pub const STAGED_FOR_MS: i64 = HOUR_MS;
/// A running import whose node has written nothing for this long was cut off.
const CUT_OFF_AFTER_MS: i64 = 10 * MINUTE_MS;
/// How often a running import writes its progress to its row while storing files
/// (the messages write theirs with each transaction).
const PROGRESS_EVERY_MS: i64 = 1_000;

/// Uploads being read on this node at once.
static UPLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
/// Imports applied on this node at once (each holds its export in memory).
static RUNS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);
fn stale_before(now: i64) -> i64 {
    now - CUT_OFF_AFTER_MS
}

/// An export taken apart, for applying.
struct Staged {
    id: String,
    chat: ChatId,
    org: OrgId,
    opened: Opened,
    /// The zip it came in (unlinked: it goes with this), for its files.
    upload: Option<std::fs::File>,
}

/// Whether `actor` may import into the chat: its owner (sitting in it) or an admin of
/// its school. Anyone else who sits in it is refused; to others it does not exist.
async fn may_import(conn: &mut AnyConnection, actor: &Actor, chat: ChatId) -> Result<ChatRow> {
    let row = store::chats::get(conn, chat).await?.ok_or(Error::NotFound)?;
    let seated = store::seats::seat(conn, chat, actor.user_id).await?.is_some();
    let owner = seated && row.owner_id == Some(actor.user_id.0);
    if !owner && !store::directory::is_admin(conn, OrgId(row.org_id), actor.user_id).await? {
        return Err(if seated { Error::Forbidden } else { Error::NotFound });
    }
    if row.archived_at.is_some() {
        return Err(Error::Conflict("chat_archived"));
    }
    Ok(row)
}

/// # Before an upload is read: who may not import is refused before a byte of it
/// comes in; beyond two uploads read at once the answer is `server_busy` (503).
pub async fn admit(state: &AppState, actor: &Actor, chat: ChatId) -> Result<tokio::sync::SemaphorePermit<'static>> {
    let mut conn = state.db.reads().acquire().await?;
    may_import(&mut conn, actor, chat).await?;
    UPLOADS.try_acquire().map_err(|_| Error::Busy)
}

fn refused(error: ExportError) -> Error {
    Error::Validation(vec![FieldError { field: error.field(), code: error.code }])
}

fn internal(error: impl Into<anyhow::Error>) -> Error {
    Error::Internal(error.into())
}

/// A temporary file unlinked at once: it lives while it is open.
fn unlinked_file() -> Result<std::fs::File> {
    let path = std::env::temp_dir().join(format!("parta-chat-import-{}", crate::secrets::new_token()));
    let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path).map_err(internal)?;
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

/// The body, written to an unlinked temporary file and to the blob store's writer.
async fn spool(body: Body, stored: &mut dyn BlobWriter) -> Result<std::fs::File> {
    let mut file = unlinked_file()?;
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| Error::PayloadTooLarge)?;
        written += chunk.len() as u64;
        if written > bundle::UPLOAD_LIMIT {
            return Err(Error::PayloadTooLarge);
        }
        file.write_all(&chunk).map_err(internal)?;
        stored.write(&chunk).await.map_err(internal)?;
    }
    if written == 0 {
        return Err(Error::field("file", "required"));
    }
    file.seek(SeekFrom::Start(0)).map_err(internal)?;
    Ok(file)
}

/// Takes an export apart, off the async threads.
async fn open(file: std::fs::File, limit: u64) -> Result<(Opened, std::fs::File)> {
    let (opened, file) =
        tokio::task::spawn_blocking(move || (bundle::read(&file, limit), file)).await.map_err(internal)?;
    Ok((opened.map_err(refused)?, file))
}

/// # Upload an export: the dry run, and the export staged for `apply`
/// Called with `admit`'s permit held.
pub async fn stage(state: &AppState, actor: &Actor, chat: ChatId, body: Body) -> Result<ChatImportPreview> {
    let limit = state.settings.max_file_bytes as u64;
    let upload_key = crate::blobs::new_key("chat-imports");
    let mut stored = state.blobs.create(&upload_key).await.map_err(internal)?;
    let opened = async {
        let file = spool(body, stored.as_mut()).await?;
        open(file, limit).await
    }
    .await;
    let (opened, _) = match opened {
        Ok(opened) => opened,
        Err(error) => {
            let _ = stored.abort().await;
            return Err(error);
        }
    };
    stored.finish().await.map_err(internal)?;
    let staged = record_staged(state, actor, chat, &upload_key).await;
    let (row, replaced) = match staged {
        Ok(staged) => staged,
        Err(error) => {
            let _ = state.blobs.delete(&upload_key).await;
            return Err(error);
        }
    };
    if let Some(replaced) = replaced {
        let _ = state.blobs.delete(&replaced).await;
    }

    let mut conn = state.db.reads().acquire().await?;
    let school = store::schools::get(&mut conn, OrgId(row.org_id)).await?.ok_or(Error::NotFound)?;
    let existing = store::chat_import::imported_keys(&mut conn, chat).await?;
    let seats = store::seats::chat_seats(&mut conn, chat).await?;
    let members = store::users::people(&mut conn, &seats.iter().map(|s| UserId(s.user_id)).collect::<Vec<_>>()).await?;
    drop(conn);
    Ok(preview(&row, &opened, &existing, members, &school.time_zone, limit))
}

/// The importer's new import, in place of their last one unless that one runs.
/// Returns its row and the upload it replaced.
async fn record_staged(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    upload_key: &str,
) -> Result<(ImportRow, Option<String>)> {
    let mut work = state.begin().await?;
    let chat_row = may_import(&mut work, actor, chat).await?;
    let now = now_ms();
    let last = store::chat_import::of_importer(&mut work, actor.user_id).await?;
    if let Some(last) = &last
        && last.state == "running"
        && !last.cut_off(stale_before(now))
    {
        return Err(Error::Conflict("import_running"));
    }
    let row = ImportRow {
        id: crate::secrets::new_token(),
        org_id: chat_row.org_id,
        chat_id: chat.0,
        importer_id: actor.user_id.0,
        upload_key: upload_key.to_owned(),
        state: "staged".into(),
        total: 0,
        done: 0,
        imported: 0,
        files: 0,
        error: None,
        updated_at: now,
        expires_at: now + STAGED_FOR_MS,
    };
    store::chat_import::insert_staged(&mut work, &row).await?;
    work.commit(state).await?;
    Ok((row, last.map(|last| last.upload_key)))
}

fn when_text(at: When) -> String {
    match at {
        When::Instant(ms) => rfc3339(ms),
        When::Local(at) => at.to_string(),
    }
}

fn preview(
    row: &ImportRow,
    opened: &Opened,
    existing: &HashMap<String, i64>,
    mut members: Vec<PersonRef>,
    time_zone: &str,
    limit: u64,
) -> ChatImportPreview {
    let export = &opened.export;
    members.sort_by(|a, b| (&a.family_name, &a.given_name).cmp(&(&b.family_name, &b.given_name)));
    let mut counts: Vec<(String, i64)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for entry in &export.entries {
        match index.get(entry.author.as_str()) {
            Some(&i) => counts[i].1 += 1,
            None => {
                index.insert(&entry.author, counts.len());
                counts.push((entry.author.clone(), 1));
            }
        }
    }
    let candidates: Vec<authors::Member> = members
        .iter()
        .map(|m| authors::Member {
            id: m.id.0,
            family_name: &m.family_name,
            given_name: &m.given_name,
            patronymic: m.patronymic.as_deref(),
        })
        .collect();
    let names: Vec<&str> = counts.iter().map(|(name, _)| name.as_str()).collect();
    let suggested = authors::suggest(&names, &candidates);
    let mut files = ChatImportFiles { limit_bytes: limit as i64, ..ChatImportFiles::default() };
    for state in opened.files.values() {
        match state {
            FileState::Found(packed) => {
                files.found += 1;
                files.bytes += packed.size as i64;
            }
            FileState::TooLarge => files.too_large += 1,
            FileState::Missing => files.missing += 1,
        }
    }
    let mut skipped: BTreeMap<&str, i64> = BTreeMap::new();
    for skip in &export.skipped {
        *skipped.entry(skip.reason).or_default() += 1;
    }
    ChatImportPreview {
        import_id: row.id.clone(),
        source: export.source.as_str().into(),
        chat_name: export.chat_name.clone(),
        messages: export.entries.len() as i64,
        already_imported: export.entries.iter().filter(|e| existing.contains_key(&e.key)).count() as i64,
        first_at: export.entries.iter().map(|e| e.at).min().map(when_text),
        last_at: export.entries.iter().map(|e| e.at).max().map(when_text),
        files,
        authors: counts
            .into_iter()
            .map(|(name, messages)| ChatImportAuthor {
                suggested_member: suggested.get(&name).map(|id| UserId(*id)),
                name,
                messages,
            })
            .collect(),
        members,
        skipped: skipped
            .into_iter()
            .map(|(reason, count)| ChatImportSkipped { reason: reason.into(), count })
            .collect(),
        needs_time_zone: export.entries.iter().any(|e| matches!(e.at, When::Local(_))),
        time_zone: time_zone.to_owned(),
        expires_at: rfc3339(row.expires_at),
    }
}

/// This person's import into this chat; a staged one past its hour is gone.
async fn import_row(conn: &mut AnyConnection, actor: &Actor, chat: ChatId, id: &str) -> Result<ImportRow> {
    let row = store::chat_import::get(conn, id).await?;
    row.filter(|row| row.chat_id == chat.0 && row.importer_id == actor.user_id.0)
        .filter(|row| row.state != "staged" || row.expires_at > now_ms())
        .ok_or(Error::NotFound)
}

fn progress_of(row: &ImportRow) -> ChatImportProgress {
    let cut_off = row.cut_off(stale_before(now_ms()));
    ChatImportProgress {
        import_id: row.id.clone(),
        state: if cut_off { "failed".into() } else { row.state.clone() },
        total: row.total,
        done: row.done,
        imported: row.imported,
        files: row.files,
        error: if cut_off { Some("interrupted".into()) } else { row.error.clone() },
    }
}

/// # How far an import is
pub async fn progress(state: &AppState, actor: &Actor, chat: ChatId, id: &str) -> Result<ChatImportProgress> {
    let mut conn = state.db.reads().acquire().await?;
    // Someone else's import does not exist, whatever their rights in the chat.
    let row = import_row(&mut conn, actor, chat, id).await?;
    may_import(&mut conn, actor, chat).await?;
    Ok(progress_of(&row))
}

/// The upload of a staged import, read back from the blob store into a temporary
/// file (an export in a zip is read at random places).
async fn fetch_upload(state: &AppState, key: &str) -> Result<std::fs::File> {
    let mut reader = state.blobs.open(key, None).await.map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound,
        _ => internal(error),
    })?;
    let mut file = tokio::fs::File::from_std(unlinked_file()?);
    tokio::io::copy(&mut reader.body, &mut file).await.map_err(internal)?;
    let mut file = file.into_std().await;
    file.seek(SeekFrom::Start(0)).map_err(internal)?;
    Ok(file)
}

/// # Apply a staged import with the confirmed authors
/// Starts it in the background and answers its progress.
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    chat: ChatId,
    id: &str,
    request: ApplyChatImportRequest,
) -> Result<ChatImportProgress> {
    let (row, seats, existing) = {
        let mut conn = state.db.reads().acquire().await?;
        let row = import_row(&mut conn, actor, chat, id).await?;
        let chat_row = may_import(&mut conn, actor, chat).await?;
        if row.state == "running" && !row.cut_off(stale_before(now_ms())) {
            return Err(Error::Conflict("import_running"));
        }
        let zone_default = store::schools::get(&mut conn, OrgId(chat_row.org_id)).await?.ok_or(Error::NotFound)?;
        let seats = store::seats::chat_seats(&mut conn, chat).await?;
        let existing = store::chat_import::imported_keys(&mut conn, chat).await?;
        (row, (seats, zone_default.time_zone), existing)
    };
    let (seats, school_zone) = seats;
    let zone_name = match &request.time_zone {
        Some(zone) if !crate::clock::is_time_zone(zone) => return Err(Error::field("time_zone", "invalid_value")),
        Some(zone) => zone.clone(),
        None => school_zone,
    };
    let zone = jiff::tz::TimeZone::get(&zone_name).map_err(|_| Error::field("time_zone", "invalid_value"))?;
    let mut mapping: HashMap<String, Option<UserId>> = HashMap::new();
    for (index, choice) in request.authors.iter().enumerate() {
        if let Some(member) = choice.member_id
            && !seats.iter().any(|s| s.user_id == member.0)
        {
            return Err(Error::field(&format!("authors[{index}].member_id"), "not_a_member"));
        }
        mapping.insert(choice.name.clone(), choice.member_id);
    }

    let permit = RUNS.try_acquire().map_err(|_| Error::Busy)?;
    let limit = state.settings.max_file_bytes as u64;
    let (opened, file) = open(fetch_upload(state, &row.upload_key).await?, limit).await?;
    if opened.export.entries.iter().any(|e| !mapping.contains_key(&e.author)) {
        return Err(Error::field("authors", "author_missing"));
    }
    let staged =
        Staged { id: row.id.clone(), chat, org: OrgId(row.org_id), upload: opened.zipped.then_some(file), opened };
    let plan = plan(&staged, existing, &zone);
    let total = (plan.new.len() + plan.with_files.len()) as i64;
    let now = now_ms();
    {
        let mut work = state.begin().await?;
        if !store::chat_import::start(&mut work, &row.id, total, now, stale_before(now)).await? {
            return Err(Error::Conflict("import_running"));
        }
        work.commit(state).await?;
    }
    let running = ChatImportProgress {
        import_id: row.id.clone(),
        state: "running".into(),
        total,
        done: 0,
        imported: 0,
        files: 0,
        error: None,
    };
    let (state, importer) = (state.clone(), actor.user_id);
    tokio::spawn(async move {
        let _permit = permit;
        let (written, outcome) = run(&state, &staged, plan, &mapping, importer).await;
        let now = now_ms();
        if let Err(error) = &outcome {
            tracing::warn!(%error, messages = written.messages, "a chat import failed");
        }
        let ended = Ended {
            done: if outcome.is_ok() { total } else { written.done },
            imported: written.messages,
            files: written.files,
            error: outcome.as_ref().err().map(Error::code),
            now,
            expires_at: now + STAGED_FOR_MS,
        };
        let written = async {
            let mut work = state.begin().await?;
            store::chat_import::end(&mut work, &staged.id, &ended).await?;
            work.commit(&state).await
        }
        .await;
        if let Err(error) = written {
            tracing::warn!(%error, "a chat import's outcome was not written");
        }
    });
    Ok(running)
}

/// # Removes the imports past their hour, with their uploads
/// Runs every few minutes on every node.
pub async fn sweep(state: &AppState) -> Result<()> {
    let now = now_ms();
    let expired = {
        let mut conn = state.db.reads().acquire().await?;
        store::chat_import::expired(&mut conn, now, stale_before(now)).await?
    };
    for (id, upload_key) in expired {
        let mut work = state.begin().await?;
        store::chat_import::remove(&mut work, &id, &upload_key).await?;
        work.commit(state).await?;
        if let Err(error) = state.blobs.delete(&upload_key).await
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(%error, "an expired chat import's upload was not removed");
        }
    }
    Ok(())
}

/// What is new of an export: the messages, in the order they were written (the
/// export's order among equal times), and those of them with a file to store; and
/// the chat's imported messages already there (export key → id), which replies point at.
struct Plan {
    new: Vec<(usize, i64)>,
    with_files: Vec<(usize, bundle::Packed)>,
    existing: HashMap<String, i64>,
}

fn plan(staged: &Staged, existing: HashMap<String, i64>, zone: &jiff::tz::TimeZone) -> Plan {
    let mut new: Vec<(usize, i64)> = staged
        .opened
        .export
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !existing.contains_key(&e.key))
        .filter_map(|(i, e)| e.at.in_zone(zone).map(|at| (i, at)))
        .collect();
    new.sort_by_key(|(i, at)| (*at, *i));
    let with_files = new
        .iter()
        .filter_map(|(i, _)| match staged.opened.files.get(i) {
            Some(FileState::Found(packed)) => Some((*i, *packed)),
            _ => None,
        })
        .collect();
    Plan { new, with_files, existing }
}

/// A file put in the blob store for a message.
struct StoredFile {
    key: String,
    thumbnail: Option<String>,
    content_type: &'static str,
    size: i64,
    name: String,
    sha256: String,
}

/// What a run has done so far: its steps (files stored, messages written), the
/// messages and files committed, and which of the stored files are attached (the
/// others go if the run fails).
#[derive(Default)]
struct Written {
    done: i64,
    messages: i64,
    files: i64,
    attached: HashSet<usize>,
}

/// Writes what is new of the export: files first (their bytes in the blob store),
/// then the messages a thousand a transaction, then the event that tells of them.
/// Should it fail midway, what was committed stays (applying again adds the rest)
/// and the files of what was not are taken away again.
async fn run(
    state: &AppState,
    staged: &Staged,
    plan: Plan,
    mapping: &HashMap<String, Option<UserId>>,
    importer: UserId,
) -> (Written, Result<()>) {
    let mut stored: HashMap<usize, StoredFile> = HashMap::new();
    let mut written = Written::default();
    let outcome = async {
        store_files(state, staged, &plan.with_files, &mut stored, &mut written).await?;
        write_messages(state, staged, plan, &stored, mapping, importer, &mut written).await
    }
    .await;
    if outcome.is_err() {
        for (index, file) in &stored {
            if written.attached.contains(index) {
                continue;
            }
            let _ = state.blobs.delete(&file.key).await;
            if let Some(thumbnail) = &file.thumbnail {
                let _ = state.blobs.delete(thumbnail).await;
            }
        }
    }
    (written, outcome)
}

/// The import's row learns its progress, for whichever node is asked.
async fn write_progress(state: &AppState, staged: &Staged, done: i64) -> Result<()> {
    let mut work = state.begin().await?;
    store::chat_import::advanced(&mut work, &staged.id, done, (0, 0), now_ms()).await?;
    work.commit(state).await?;
    Ok(())
}

async fn store_files(
    state: &AppState,
    staged: &Staged,
    with_files: &[(usize, bundle::Packed)],
    stored: &mut HashMap<usize, StoredFile>,
    written: &mut Written,
) -> Result<()> {
    let Some(upload) = &staged.upload else { return Ok(()) };
    let limit = state.settings.max_file_bytes as u64;
    let mut written_at = now_ms();
    for (index, packed) in with_files {
        let reader = upload.try_clone().map_err(|e| Error::Internal(e.into()))?;
        let packed = *packed;
        let bytes = tokio::task::spawn_blocking(move || bundle::read_packed(reader, packed, limit))
            .await
            .map_err(|e| Error::Internal(e.into()))?
            .map_err(|code| refused(ExportError::new("upload", code)))?;
        let name = match &staged.opened.export.entries[*index].media {
            Some(Media::File { path, .. }) => path.rsplit('/').next().unwrap_or(path).to_owned(),
            _ => String::new(),
        };
        let content_type = crate::blobs::sniff_any(&bytes);
        let key = crate::blobs::new_key("chat-files");
        state.blobs.put(&key, &bytes).await.map_err(|e| Error::Internal(e.into()))?;
        let mut file = StoredFile {
            key,
            thumbnail: None,
            content_type,
            size: bytes.len() as i64,
            name: super::applications::display_name(&name),
            sha256: crate::secrets::sha256_hex(&bytes),
        };
        if crate::thumbnails::previewable(content_type)
            && let Ok(preview) = state.previews.preview(Bytes::from(bytes)).await
        {
            let thumbnail = crate::blobs::new_key("chat-thumbnails");
            if state.blobs.put(&thumbnail, &preview).await.is_ok() {
                file.thumbnail = Some(thumbnail);
            }
        }
        stored.insert(*index, file);
        written.done += 1;
        if now_ms() - written_at >= PROGRESS_EVERY_MS {
            write_progress(state, staged, written.done).await?;
            written_at = now_ms();
        }
    }
    if !with_files.is_empty() {
        write_progress(state, staged, written.done).await?;
    }
    Ok(())
}

/// The new messages, a thousand a transaction — so the school's other writes (on
/// SQLite, its one writer) wait for one of them at most, not for the whole export —
/// at positions the first of them takes for all, in a row after the chat's last; then,
/// at the chat's next position (after whatever was sent meanwhile), the one event that
/// tells of them, the readers' marks and the audit entry. Sends to the chat go on
/// meanwhile and come after the history.
async fn write_messages(
    state: &AppState,
    staged: &Staged,
    plan: Plan,
    stored: &HashMap<usize, StoredFile>,
    mapping: &HashMap<String, Option<UserId>>,
    importer: UserId,
    written: &mut Written,
) -> Result<()> {
    let (chat, org) = (staged.chat, staged.org);
    let export = &staged.opened.export;
    let Plan { new, existing: mut ids, .. } = plan;
    // Everything already there: nothing to write, nobody to tell.
    if new.is_empty() {
        return Ok(());
    }
    let count = new.len() as i64;
    let bodies: Vec<String> =
        new.iter().map(|(i, _)| parta_domain::format::rewrite_mentions(&export.entries[*i].text, |_| None)).collect();
    let mut first_seq: Option<i64> = None;
    let mut outcome = Ok(());
    for (chunk_index, chunk) in new.chunks(store::chat_import::BATCH).enumerate() {
        let offset = chunk_index * store::chat_import::BATCH;
        let chunk_written = async {
            let mut work = state.begin().await?;
            let first = match first_seq {
                Some(first) => first,
                None => store::events::take_positions(&mut work, &[(chat, count)]).await?[0].1 - count + 1,
            };
            let (inserted, files) = write_chunk(
                &mut work,
                org,
                chat,
                first,
                offset,
                chunk,
                (export, &bodies),
                stored,
                mapping,
                &ids,
                importer,
            )
            .await?;
            // With the messages, so a run cut off here tells what it left.
            let done = written.done + chunk.len() as i64;
            let committed = (written.messages + inserted.len() as i64, written.files + files.len() as i64);
            store::chat_import::advanced(&mut work, &staged.id, done, committed, now_ms()).await?;
            work.commit(state).await?;
            Ok::<_, Error>((first, inserted, files))
        }
        .await;
        let (first, inserted, files) = match chunk_written {
            Ok(written) => written,
            Err(error) => {
                outcome = Err(error);
                break;
            }
        };
        first_seq = Some(first);
        written.messages += inserted.len() as i64;
        written.files += files.len() as i64;
        written.attached.extend(files);
        ids.extend(inserted);
        written.done += chunk.len() as i64;
    }
    // Even after a failure midway, whoever reads the chat is told of what was written.
    if let Some(first) = first_seq
        && written.messages > 0
    {
        let told = tell(state, staged, first, first + count - 1, written, importer).await;
        if outcome.is_ok() {
            outcome = told;
        }
    }
    outcome
}

/// Writes one chunk's messages (those of the export's keys the chat has not), their
/// search terms, files and reply links (among those and before them). Returns the
/// messages inserted (key → id) and the export entries whose files were attached.
#[allow(clippy::too_many_arguments)]
async fn write_chunk(
    work: &mut Work,
    org: OrgId,
    chat: ChatId,
    first_seq: i64,
    offset: usize,
    chunk: &[(usize, i64)],
    (export, bodies): (&crate::chat_import::Export, &[String]),
    stored: &HashMap<usize, StoredFile>,
    mapping: &HashMap<String, Option<UserId>>,
    ids: &HashMap<String, i64>,
    importer: UserId,
) -> Result<(HashMap<String, i64>, Vec<usize>)> {
    let rows: Vec<NewImported> = chunk
        .iter()
        .enumerate()
        .map(|(n, (i, at))| {
            let entry = &export.entries[*i];
            let member = mapping.get(&entry.author).copied().flatten();
            NewImported {
                org,
                chat,
                seq: first_seq + (offset + n) as i64,
                sender: member.unwrap_or(importer),
                client_msg_id: format!("import:{}:{}", chat.0, entry.key),
                body: &bodies[offset + n],
                // Answers within the same statement are pointed after it.
                reply_to: entry.reply_to.as_ref().and_then(|key| ids.get(key).copied()),
                created_at: *at,
                import_key: &entry.key,
                guest_name: member.is_none().then_some(entry.author.as_str()),
                forwarded_name: entry.forwarded_from.as_deref(),
            }
        })
        .collect();
    let inserted: HashMap<String, i64> = store::chat_import::insert(work, &rows).await?.into_iter().collect();
    drop(rows);
    let terms: Vec<(MessageId, Vec<String>)> = chunk
        .iter()
        .enumerate()
        .filter_map(|(n, (i, _))| {
            inserted
                .get(&export.entries[*i].key)
                .map(|id| (MessageId(*id), super::messages::search_terms(&bodies[offset + n])))
        })
        .collect();
    let indexed: Vec<store::search::Indexed> =
        terms.iter().map(|(message, terms)| store::search::Indexed { org, chat, message: *message, terms }).collect();
    let mut script = work.script();
    store::search::index_many(&mut script, &indexed);
    work.run(script).await?;
    let mut attached = Vec::new();
    for (i, _) in chunk {
        let (Some(file), Some(id)) = (stored.get(i), inserted.get(&export.entries[*i].key)) else { continue };
        let file_id: FileId = store::files::insert(
            work,
            &store::files::NewFile {
                org: Some(org),
                storage_key: &file.key,
                content_type: file.content_type,
                size: file.size,
                original_name: &file.name,
                sha256: &file.sha256,
                uploaded_by: Some(importer),
                chat: Some(chat),
            },
        )
        .await?;
        if let Some(thumbnail) = &file.thumbnail {
            store::files::set_thumbnail(work, file_id, thumbnail).await?;
        }
        store::files::attach(work, org, MessageId(*id), &[file_id]).await?;
        attached.push(*i);
    }
    let late_replies: Vec<(i64, i64)> = chunk
        .iter()
        .filter_map(|(i, _)| {
            let entry = &export.entries[*i];
            Some((*inserted.get(&entry.key)?, *inserted.get(entry.reply_to.as_ref()?)?))
        })
        .collect();
    store::chat_import::set_replies(work, &late_replies).await?;
    Ok((inserted, attached))
}

/// The end of the writing: who had read the chat to its end before the history's
/// positions has read the history too; one event, at the chat's next position,
/// tells its readers to fetch it afresh; the audit entry.
async fn tell(
    state: &AppState,
    staged: &Staged,
    first: i64,
    last: i64,
    written: &Written,
    importer: UserId,
) -> Result<()> {
    let (chat, org) = (staged.chat, staged.org);
    let mut work = state.begin().await?;
    store::chat_import::read_through(&mut work, chat, first - 1, last).await?;
    let at = store::events::take_positions(&mut work, &[(chat, 1)]).await?[0].1;
    let by = store::users::person(&mut work, importer).await?.ok_or(Error::NotFound)?;
    let mut script = work.script();
    super::events::chat_events_into(
        &mut work,
        &mut script,
        vec![(org, chat, at, ChatEvent::HistoryImported { count: written.messages, by })],
    )?;
    work.run(script).await?;
    let details = serde_json::json!({
        "chat_id": chat, "source": staged.opened.export.source.as_str(),
        "messages": written.messages, "files": written.files,
    });
    store::audit::record(
        &mut work,
        store::audit::Entry::in_school(org, importer, "chat_history_imported", "chat", chat.0, details),
    )
    .await?;
    work.commit(state).await?;
    Ok(())
}
