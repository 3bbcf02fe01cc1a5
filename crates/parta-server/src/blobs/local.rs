//! Files on the server's own disk, under the data directory. Every object is written
//! aside (`….partial`), fsynced and renamed, so a crash never leaves half a file
//! under a key.

use std::path::{Path, PathBuf};

use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use super::{BlobFuture, BlobReader, BlobStore, BlobWriter, check_key};

pub struct LocalDisk {
    root: PathBuf,
}

impl LocalDisk {
    pub fn new(root: PathBuf) -> std::io::Result<LocalDisk> {
        std::fs::create_dir_all(&root)?;
        Ok(LocalDisk { root })
    }

    fn path(&self, key: &str) -> std::io::Result<PathBuf> {
        Ok(self.root.join(check_key(key)?))
    }

    /// A new, empty file beside where `path` will be, to rename into place when complete.
    async fn partial(path: &Path) -> std::io::Result<(PathBuf, tokio::fs::File)> {
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let partial = path.with_extension("partial");
        let file = tokio::fs::File::create(&partial).await?;
        Ok((partial, file))
    }
}

impl BlobStore for LocalDisk {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BlobFuture<'a, ()> {
        Box::pin(async move {
            let mut writer = self.create(key).await?;
            writer.write(bytes).await?;
            writer.finish().await
        })
    }

    fn create<'a>(&'a self, key: &'a str) -> BlobFuture<'a, Box<dyn BlobWriter>> {
        Box::pin(async move {
            let path = self.path(key)?;
            let (partial, file) = LocalDisk::partial(&path).await?;
            Ok(Box::new(LocalWriter { path, partial, file: Some(file) }) as Box<dyn BlobWriter>)
        })
    }

    fn open<'a>(&'a self, key: &'a str, range: Option<(u64, u64)>) -> BlobFuture<'a, BlobReader> {
        Box::pin(async move {
            let mut file = tokio::fs::File::open(self.path(key)?).await?;
            let body: std::pin::Pin<Box<dyn tokio::io::AsyncRead + Send>> = match range {
                None => Box::pin(file),
                Some((start, end)) => {
                    file.seek(std::io::SeekFrom::Start(start)).await?;
                    Box::pin(file.take(end - start + 1))
                }
            };
            Ok(BlobReader { body })
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BlobFuture<'a, ()> {
        Box::pin(async move { tokio::fs::remove_file(self.path(key)?).await })
    }

    fn duplicate<'a>(&'a self, from: &'a str, to: &'a str) -> BlobFuture<'a, ()> {
        Box::pin(async move {
            let (from, to) = (self.path(from)?, self.path(to)?);
            if let Some(dir) = to.parent() {
                tokio::fs::create_dir_all(dir).await?;
            }
            if tokio::fs::hard_link(&from, &to).await.is_err() {
                let partial = to.with_extension("partial");
                tokio::fs::copy(&from, &partial).await?;
                tokio::fs::File::open(&partial).await?.sync_all().await?;
                tokio::fs::rename(&partial, &to).await?;
            }
            Ok(())
        })
    }
}

/// `file` is taken when the object is finished; a writer dropped before that (an
/// upload whose client went away) removes its partial file.
struct LocalWriter {
    path: PathBuf,
    partial: PathBuf,
    file: Option<tokio::fs::File>,
}

fn gone() -> std::io::Error {
    std::io::Error::other("the writer is finished")
}

impl BlobWriter for LocalWriter {
    fn write<'a>(&'a mut self, chunk: &'a [u8]) -> BlobFuture<'a, ()> {
        Box::pin(async move { self.file.as_mut().ok_or_else(gone)?.write_all(chunk).await })
    }

    fn finish(mut self: Box<Self>) -> BlobFuture<'static, ()> {
        Box::pin(async move {
            let mut file = self.file.take().ok_or_else(gone)?;
            file.flush().await?;
            file.sync_all().await?;
            tokio::fs::rename(&self.partial, &self.path).await
        })
    }

    fn abort(self: Box<Self>) -> BlobFuture<'static, ()> {
        // Dropping removes the partial file.
        Box::pin(async move {
            drop(self);
            Ok(())
        })
    }
}

impl Drop for LocalWriter {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.partial);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_written_object_appears_only_when_finished_and_reads_by_range() -> std::io::Result<()> {
        let root = std::env::temp_dir().join(format!("parta-blobs-{}", crate::secrets::new_token().to_lowercase()));
        let disk = LocalDisk::new(root.clone())?;
        let mut writer = disk.create("chat-files/a").await?;
        writer.write(b"hello, ").await?;
        writer.write(b"world").await?;
        assert!(disk.open("chat-files/a", None).await.is_err(), "not there before finish");
        writer.finish().await?;
        let mut all = String::new();
        disk.open("chat-files/a", None).await?.body.read_to_string(&mut all).await?;
        assert_eq!(all, "hello, world");
        let mut part = String::new();
        disk.open("chat-files/a", Some((7, 11))).await?.body.read_to_string(&mut part).await?;
        assert_eq!(part, "world");

        let mut aborted = disk.create("chat-files/b").await?;
        aborted.write(b"half").await?;
        aborted.abort().await?;
        assert!(disk.open("chat-files/b", None).await.is_err());
        assert!(!root.join("chat-files/b.partial").exists(), "no debris");
        // A writer dropped midway (its client went away) leaves nothing either.
        let mut dropped = disk.create("chat-files/c").await?;
        dropped.write(b"half").await?;
        assert!(root.join("chat-files/c.partial").exists());
        drop(dropped);
        assert!(!root.join("chat-files/c.partial").exists(), "no debris");
        std::fs::remove_dir_all(root)
    }
}
