//! Files in an S3-compatible object store (any that speaks the S3 API: a regional
//! cloud, SeaweedFS, Ceph), so that every node of a cluster reads every file.
//! Uploads go up in parts as they arrive: a large file never sits whole in memory.

use std::sync::Arc;

use futures_util::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};

use super::{BlobFuture, BlobReader, BlobStore, BlobWriter, check_key};

/// The smallest part S3 accepts (except the last): an upload holds at most
/// `PART_BYTES × (PARTS_IN_FLIGHT + 1)` in memory.
const PART_BYTES: usize = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 2;

/// Where the bucket is and how to sign in to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    /// `https://storage.example.ru` (or `http://` on a private network).
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Keys are stored under this prefix, so one bucket can hold several deployments.
    pub prefix: String,
}

pub struct S3Store {
    store: Arc<AmazonS3>,
    prefix: String,
}

impl S3Store {
    pub fn new(settings: &S3Settings) -> anyhow::Result<S3Store> {
        // object_store's HTTP client takes rustls's process-wide provider: the ring one
        // every other client of this binary uses. Installing it twice is harmless.
        let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
        let store = AmazonS3Builder::new()
            .with_endpoint(settings.endpoint.trim_end_matches('/'))
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key)
            .with_secret_access_key(&settings.secret_key)
            .with_allow_http(settings.endpoint.starts_with("http://"))
            // Path-style requests (`endpoint/bucket/key`): what self-hosted stores expect.
            .with_virtual_hosted_style_request(false)
            .build()?;
        let prefix = settings.prefix.trim_matches('/').to_owned();
        Ok(S3Store { store: Arc::new(store), prefix })
    }

    fn path(&self, key: &str) -> std::io::Result<Path> {
        let key = check_key(key)?;
        Ok(if self.prefix.is_empty() { Path::from(key) } else { Path::from(format!("{}/{key}", self.prefix)) })
    }

    /// Checks at start-up that the bucket answers, so a wrong endpoint or key is
    /// found before the first upload.
    pub async fn check(&self) -> anyhow::Result<()> {
        let probe = self.path("parta-probe")?;
        self.store.put(&probe, PutPayload::from_static(b"ok")).await?;
        self.store.delete(&probe).await?;
        Ok(())
    }
}

fn io_error(error: object_store::Error) -> std::io::Error {
    let kind = match error {
        object_store::Error::NotFound { .. } => std::io::ErrorKind::NotFound,
        _ => std::io::ErrorKind::Other,
    };
    std::io::Error::new(kind, error)
}

impl BlobStore for S3Store {
    fn put<'a>(&'a self, key: &'a str, bytes: &'a [u8]) -> BlobFuture<'a, ()> {
        Box::pin(async move {
            let path = self.path(key)?;
            self.store.put(&path, PutPayload::from(bytes.to_vec())).await.map_err(io_error)?;
            Ok(())
        })
    }

    fn create<'a>(&'a self, key: &'a str) -> BlobFuture<'a, Box<dyn BlobWriter>> {
        Box::pin(async move {
            let path = self.path(key)?;
            Ok(Box::new(S3Writer { store: self.store.clone(), path, buffer: Vec::new(), parts: None })
                as Box<dyn BlobWriter>)
        })
    }

    fn open<'a>(&'a self, key: &'a str, range: Option<(u64, u64)>) -> BlobFuture<'a, BlobReader> {
        Box::pin(async move {
            let path = self.path(key)?;
            let options =
                GetOptions { range: range.map(|(start, end)| GetRange::Bounded(start..end + 1)), ..Default::default() };
            let result = self.store.get_opts(&path, options).await.map_err(io_error)?;
            let stream = result.into_stream().map_err(io_error);
            Ok(BlobReader { body: Box::pin(tokio_util::io::StreamReader::new(stream)) })
        })
    }

    fn delete<'a>(&'a self, key: &'a str) -> BlobFuture<'a, ()> {
        Box::pin(async move { self.store.delete(&self.path(key)?).await.map_err(io_error) })
    }

    fn duplicate<'a>(&'a self, from: &'a str, to: &'a str) -> BlobFuture<'a, ()> {
        Box::pin(async move { self.store.copy(&self.path(from)?, &self.path(to)?).await.map_err(io_error) })
    }
}

/// A small object goes up in one request when it is finished; one that outgrows a
/// part becomes a multipart upload, its parts sent while the rest arrives. Dropped
/// unfinished (its client went away), it gives the multipart upload up.
struct S3Writer {
    store: Arc<AmazonS3>,
    path: Path,
    buffer: Vec<u8>,
    parts: Option<WriteMultipart>,
}

impl BlobWriter for S3Writer {
    fn write<'a>(&'a mut self, chunk: &'a [u8]) -> BlobFuture<'a, ()> {
        Box::pin(async move {
            if self.parts.is_none() && self.buffer.len() + chunk.len() <= PART_BYTES {
                self.buffer.extend_from_slice(chunk);
                return Ok(());
            }
            let parts = match &mut self.parts {
                Some(parts) => parts,
                None => {
                    let upload = self.store.put_multipart(&self.path).await.map_err(io_error)?;
                    let mut parts = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
                    parts.write(&std::mem::take(&mut self.buffer));
                    self.parts.insert(parts)
                }
            };
            parts.wait_for_capacity(PARTS_IN_FLIGHT).await.map_err(io_error)?;
            parts.write(chunk);
            Ok(())
        })
    }

    fn finish(mut self: Box<Self>) -> BlobFuture<'static, ()> {
        Box::pin(async move {
            match self.parts.take() {
                Some(parts) => parts.finish().await.map_err(io_error)?,
                None => {
                    let buffer = std::mem::take(&mut self.buffer);
                    self.store.put(&self.path, PutPayload::from(buffer)).await.map_err(io_error)?
                }
            };
            Ok(())
        })
    }

    fn abort(mut self: Box<Self>) -> BlobFuture<'static, ()> {
        Box::pin(async move {
            match self.parts.take() {
                Some(parts) => parts.abort().await.map_err(io_error),
                None => Ok(()),
            }
        })
    }
}

impl Drop for S3Writer {
    fn drop(&mut self) {
        if let Some(parts) = self.parts.take()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            runtime.spawn(async move {
                if let Err(error) = parts.abort().await {
                    tracing::warn!(error = %error, "an unfinished S3 upload could not be given up");
                }
            });
        }
    }
}
