//! A person's copy of what Parta holds about them (152-ФЗ, the subject's right of
//! access): their profile and consents, every place they have had in a school, their
//! devices and sessions, their notifications, what they wrote in chats and the files
//! they uploaded — one zip, written to a temporary file (files may be large) and
//! streamed. Asked for a few times an hour at most.

use std::io::Write;

use parta_domain::UserId;
use serde::Serialize;
use zip::write::SimpleFileOptions;

use crate::auth::Actor;
use crate::clock::{HOUR_MS, now_ms, rfc3339};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store;

/// Copies one person may ask for an hour.
const PER_HOUR: i64 = 3;

#[derive(Serialize)]
struct Membership {
    school: String,
    role: String,
    class: String,
    child: Option<String>,
    started_on: String,
    ended_on: Option<String>,
}

#[derive(Serialize)]
struct Upload {
    id: i64,
    name: String,
    content_type: String,
    size: i64,
    uploaded_at: String,
    /// Where it is in the archive; none when its bytes are gone from storage.
    path: Option<String>,
}

const README: &str = "Это копия данных, которые «Парта» хранит о вас.\n\n\
profile.json — профиль: имя, контакты, школы и роли, согласия на обработку персональных данных.\n\
memberships.json — все ваши места в школах, в том числе прошлые.\n\
sessions.json — устройства, с которых выполнен вход.\n\
notifications.json — ваши уведомления.\n\
push-devices.json — устройства, получающие push-уведомления.\n\
sign-in-services.json — внешние сервисы, через которые вы входите.\n\
messages.json — всё, что вы написали в чатах (удалённые сообщения не хранятся).\n\
files/ — файлы, которые вы загрузили; их список — в files.json.\n";

/// A file's name inside the archive: its id, then its name without anything a zip
/// program could read as a folder or a device.
fn entry_name(id: i64, name: &str) -> String {
    let clean: String =
        name.chars().map(|c| if c.is_control() || matches!(c, '/' | '\\' | ':') { '_' } else { c }).collect();
    let clean = clean.trim_matches(['.', ' ']);
    format!("files/{id}-{}", if clean.is_empty() { "file" } else { clean })
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    Ok(serde_json::to_vec_pretty(value).map_err(anyhow::Error::from)?)
}

/// # A copy of everything Parta holds about oneself, as a zip (every signed-in person)
/// Returns the open archive (already unlinked from the disk) and its size.
pub async fn export(state: &AppState, actor: &Actor) -> Result<(tokio::fs::File, u64)> {
    let user = actor.user_id;
    let now = now_ms();
    {
        let mut work = state.begin().await?;
        if !store::attempts::reserve(&mut work, &format!("export:{}", user.0), PER_HOUR, now - HOUR_MS, now).await? {
            return Err(Error::RateLimited("export_limit"));
        }
        work.commit(state).await?;
    }
    let mut documents: Vec<(String, Vec<u8>)> = vec![
        ("README.txt".into(), README.as_bytes().to_vec()),
        ("profile.json".into(), json(&super::accounts::me(state, user).await?)?),
        ("sessions.json".into(), json(&super::accounts::sessions(state, actor).await?)?),
        ("messages.json".into(), json(&super::accounts::export_messages(state, actor).await?)?),
        ("push-devices.json".into(), json(&super::push::devices(state, actor).await?)?),
        ("sign-in-services.json".into(), json(&super::oidc::links(state, actor).await?)?),
        ("notifications.json".into(), json(&notifications(state, actor).await?)?),
    ];
    let (memberships, uploads) = {
        let mut conn = state.db.reads().acquire().await?;
        (
            store::personal_data::memberships(&mut conn, user).await?,
            store::personal_data::uploads(&mut conn, user).await?,
        )
    };
    let memberships: Vec<Membership> = memberships
        .into_iter()
        .map(|m| Membership {
            school: m.school,
            role: m.role,
            class: m.class_name,
            child: m.child_family_name.zip(m.child_given_name).map(|(f, g)| format!("{f} {g}")),
            started_on: m.started_on,
            ended_on: m.ended_on,
        })
        .collect();
    documents.push(("memberships.json".into(), json(&memberships)?));

    // The archive goes to a temporary file, unlinked at once: it lives while it is read.
    let path = std::env::temp_dir().join(format!("parta-export-{}-{}", user.0, crate::secrets::new_token()));
    let file =
        std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path).map_err(anyhow::Error::from)?;
    std::fs::remove_file(&path).map_err(anyhow::Error::from)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut listed = Vec::with_capacity(uploads.len());
    for upload in uploads {
        let name = entry_name(upload.id, &upload.original_name);
        let stored = match state.blobs.open(&upload.storage_key, None).await {
            Ok(blob) => {
                // The store's stream, read as blocking I/O on the blocking thread.
                let mut handle = tokio_util::io::SyncIoBridge::new(blob.body);
                zip = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
                    zip.start_file(
                        name.as_str(),
                        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
                    )?;
                    std::io::copy(&mut handle, &mut zip)?;
                    Ok(zip)
                })
                .await
                .map_err(anyhow::Error::from)??;
                Some(entry_name(upload.id, &upload.original_name))
            }
            Err(_) => None,
        };
        listed.push(Upload {
            id: upload.id,
            name: upload.original_name,
            content_type: upload.content_type,
            size: upload.size,
            uploaded_at: rfc3339(upload.created_at),
            path: stored,
        });
    }
    documents.push(("files.json".into(), json(&listed)?));
    let file = tokio::task::spawn_blocking(move || -> anyhow::Result<std::fs::File> {
        for (name, bytes) in documents {
            zip.start_file(name.as_str(), options)?;
            zip.write_all(&bytes)?;
        }
        let mut file = zip.finish()?;
        std::io::Seek::rewind(&mut file)?;
        Ok(file)
    })
    .await
    .map_err(anyhow::Error::from)??;
    let size = file.metadata().map_err(anyhow::Error::from)?.len();
    Ok((tokio::fs::File::from_std(file), size))
}

/// All of one's notifications, newest first.
async fn notifications(state: &AppState, actor: &Actor) -> Result<Vec<parta_protocol::Notification>> {
    let mut all = Vec::new();
    let mut before = None;
    loop {
        let page = super::notifications::page(state, actor, before, Some(100)).await?;
        all.extend(page.items);
        match page.next_before {
            Some(next) => before = Some(next.0),
            None => return Ok(all),
        }
    }
}

/// Whose copy it is, for its file name.
pub fn file_name(user: UserId) -> String {
    format!("parta-data-{}-{}.zip", user.0, rfc3339(now_ms()).get(..10).unwrap_or("today"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names_are_flat_and_tame() {
        assert_eq!(entry_name(7, "../../etc/passwd"), "files/7-_.._etc_passwd");
        assert_eq!(entry_name(8, "C:\\boot.ini"), "files/8-C__boot.ini");
        assert_eq!(entry_name(9, "протокол.pdf"), "files/9-протокол.pdf");
        assert_eq!(entry_name(10, "..."), "files/10-file");
    }
}
