//! Image previews are made by a few workers at a time, so their memory has a bound:
//! workers × `thumbnails::DECODE_BUDGET_BYTES`. Uploads beyond the workers wait in a
//! bounded queue; past it an upload is stored without a preview, as a non-image is.

use axum::body::Bytes;

use crate::blocking_pool::{BlockingPool, NotRun};
use crate::thumbnails::{self, Skipped};

/// Most previews decoding at once on any machine: more cores would add memory, and a
/// school's uploads do not need them.
pub const MAX_WORKERS: usize = 4;
/// Previews that may wait for a worker. Waiting costs no decode memory (the upload is
/// held until it is stored anyway), only time: about this many decodes shared by the
/// workers, a few seconds at most. Ten attachments each from three people fit.
pub const QUEUE_LENGTH: usize = 32;

pub struct PreviewPool {
    pool: BlockingPool,
}

impl PreviewPool {
    pub fn new(workers: usize, queue: usize) -> PreviewPool {
        PreviewPool { pool: BlockingPool::new(workers, queue) }
    }

    /// One worker per core (at least one, at most `MAX_WORKERS`), `QUEUE_LENGTH` waiting.
    pub fn for_this_machine() -> PreviewPool {
        PreviewPool::new(BlockingPool::cores(MAX_WORKERS), QUEUE_LENGTH)
    }

    /// A JPEG preview of `bytes` (`thumbnails::preview`), made by a free worker.
    pub async fn preview(&self, bytes: Bytes) -> Result<Vec<u8>, Skipped> {
        let result = match self.pool.run(move || thumbnails::preview(&bytes)).await {
            Ok(made) => made,
            Err(NotRun::Full) => Err(Skipped::QueueFull),
            Err(NotRun::Panicked(panic)) => {
                tracing::warn!(error = %panic, "an image decoder panicked");
                Err(Skipped::Undecodable)
            }
        };
        match &result {
            Err(Skipped::QueueFull) => tracing::info!("upload stored without a preview: the preview queue is full"),
            Err(skipped) => tracing::debug!(reason = skipped.as_str(), "upload stored without a preview"),
            Ok(_) => {}
        }
        result
    }

    /// A profile photo of `bytes` (`thumbnails::photo`), made by a free worker; refused
    /// (`QueueFull`) when every worker is busy and the queue is full.
    pub async fn photo(&self, bytes: Bytes, side: u32) -> Result<Vec<u8>, Skipped> {
        match self.pool.run(move || thumbnails::photo(&bytes, side)).await {
            Ok(made) => made,
            Err(NotRun::Full) => Err(Skipped::QueueFull),
            Err(NotRun::Panicked(panic)) => {
                tracing::warn!(error = %panic, "an image decoder panicked");
                Err(Skipped::Undecodable)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

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
        // A decode under way: its place and the one worker taken until released.
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let hold = std::sync::Mutex::new(hold);
        let busy = tokio::spawn({
            let pool = pool.clone();
            async move {
                pool.pool
                    .run(move || {
                        let _ = hold.lock().map(|h| h.recv());
                    })
                    .await
            }
        });
        while pool.pool.idle_workers() > 0 {
            tokio::task::yield_now().await;
        }
        let queued = tokio::spawn({
            let pool = pool.clone();
            async move { pool.preview(png()).await }
        });
        while pool.pool.taken() < 2 {
            tokio::task::yield_now().await;
        }
        assert_eq!(pool.preview(png()).await, Err(Skipped::QueueFull));
        assert!(!queued.is_finished());
        release.send(()).expect("the decode under way waits");
        busy.await.expect("joins").expect("ran");
        let preview = queued.await.expect("joins").expect("a preview once the worker is free");
        assert_eq!(&preview[..2], &[0xFF, 0xD8]);
        // Everything is given back.
        assert_eq!((pool.pool.taken(), pool.pool.idle_workers()), (0, 1));
    }

    #[tokio::test]
    async fn a_refused_image_gives_its_place_back() {
        let pool = PreviewPool::new(1, 0);
        let bomb = Bytes::from(b"%PDF-1.7".to_vec());
        assert_eq!(pool.preview(bomb).await, Err(Skipped::NotAnImage));
        assert!(pool.preview(png()).await.is_ok());
    }
}
