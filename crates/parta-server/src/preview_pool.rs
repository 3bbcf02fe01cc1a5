//! Image previews are made by a few workers at a time, so their memory has a bound:
//! workers × `thumbnails::DECODE_BUDGET_BYTES`. Uploads beyond the workers wait in a
//! bounded queue; past it an upload is stored without a preview, as a non-image is.

use std::sync::Arc;

use axum::body::Bytes;
use tokio::sync::Semaphore;

use crate::thumbnails::{self, Skipped};

/// Most previews decoding at once on any machine: more cores would add memory, and a
/// school's uploads do not need them.
pub const MAX_WORKERS: usize = 4;
/// Previews that may wait for a worker. Waiting costs no decode memory (the upload is
/// held until it is stored anyway), only time: about this many decodes shared by the
/// workers, a few seconds at most. Ten attachments each from three people fit.
pub const QUEUE_LENGTH: usize = 32;

pub struct PreviewPool {
    /// Places for previews decoding or waiting: workers plus the queue.
    places: Semaphore,
    /// One permit per decode. It goes with the blocking task, so a request dropped
    /// mid-decode keeps the worker busy until the decode really ends.
    workers: Arc<Semaphore>,
}

impl PreviewPool {
    pub fn new(workers: usize, queue: usize) -> PreviewPool {
        let workers = workers.max(1);
        PreviewPool { places: Semaphore::new(workers + queue), workers: Arc::new(Semaphore::new(workers)) }
    }

    /// One worker per core (at least one, at most `MAX_WORKERS`), `QUEUE_LENGTH` waiting.
    pub fn for_this_machine() -> PreviewPool {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        PreviewPool::new(cores.min(MAX_WORKERS), QUEUE_LENGTH)
    }

    /// A JPEG preview of `bytes` (`thumbnails::preview`), made by a free worker.
    pub async fn preview(&self, bytes: Bytes) -> Result<Vec<u8>, Skipped> {
        let result = self.queue_and_make(bytes).await;
        match result {
            Err(Skipped::QueueFull) => tracing::info!("upload stored without a preview: the preview queue is full"),
            Err(skipped) => tracing::debug!(reason = skipped.as_str(), "upload stored without a preview"),
            Ok(_) => {}
        }
        result
    }

    async fn queue_and_make(&self, bytes: Bytes) -> Result<Vec<u8>, Skipped> {
        let Ok(_place) = self.places.try_acquire() else { return Err(Skipped::QueueFull) };
        let worker = self.workers.clone().acquire_owned().await.map_err(|_| Skipped::QueueFull)?;
        tokio::task::spawn_blocking(move || {
            let _worker = worker;
            thumbnails::preview(&bytes)
        })
        .await
        .unwrap_or_else(|panic| {
            tracing::warn!(error = %panic, "an image decoder panicked");
            Err(Skipped::Undecodable)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png() -> Bytes {
        let image = image::RgbImage::from_fn(64, 64, |x, y| image::Rgb([x as u8, y as u8, 1]));
        let mut out = std::io::Cursor::new(Vec::new());
        image.write_to(&mut out, image::ImageFormat::Png).expect("encode");
        Bytes::from(out.into_inner())
    }

    #[tokio::test]
    async fn past_the_queue_a_preview_is_skipped_and_a_queued_one_is_made_later() {
        let pool = Arc::new(PreviewPool::new(1, 1));
        // A decode under way: its place and the one worker taken.
        let place = pool.places.try_acquire().expect("a place");
        let worker = pool.workers.clone().try_acquire_owned().expect("the worker");
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.preview(png()).await }
        });
        while pool.places.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.preview(png()).await, Err(Skipped::QueueFull));
        assert!(!queued.is_finished());
        drop((place, worker));
        let preview = queued.await.expect("joins").expect("a preview once the worker is free");
        assert_eq!(&preview[..2], &[0xFF, 0xD8]);
        // Everything is given back.
        assert_eq!((pool.places.available_permits(), pool.workers.available_permits()), (2, 1));
    }

    #[tokio::test]
    async fn a_refused_image_gives_its_place_back() {
        let pool = PreviewPool::new(1, 0);
        let bomb = Bytes::from(b"%PDF-1.7".to_vec());
        assert_eq!(pool.preview(bomb).await, Err(Skipped::NotAnImage));
        assert!(pool.preview(png()).await.is_ok());
    }
}
