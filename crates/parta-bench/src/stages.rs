//! Parta's account of where a send's time goes: the `parta_write_stage_seconds`
//! summaries of its `/metrics` (quantiles over the last minute or so), read after a
//! phase and reported beside the bench's own end-to-end figures.

use std::net::SocketAddr;

use anyhow::Context;
use serde::Serialize;

use crate::http::Conn;

/// The stages in the order a send passes them (`parta-server/src/stages.rs`).
const ORDER: [&str; 9] = ["session", "send", "queue", "writer", "statements", "commit", "publish", "reply", "fanout"];

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stage {
    pub stage: String,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// The send's whole request as the server's middleware timed it, from its headers
/// read to its answer made: `send` and the stages in it happen within it.
const REQUEST: &str = r#"parta_http_request_duration_seconds{method="POST",route="/api/v1/chats/{chat_id}/messages","#;

/// The stages' median, 99th percentile and longest, from Prometheus text; then the
/// send's whole request as `request`.
pub fn parse(text: &str) -> Vec<Stage> {
    let value = |labels: &str, quantile: &str| -> Option<f64> {
        let prefix = format!("{labels}quantile=\"{quantile}\"}} ");
        text.lines().find_map(|line| line.strip_prefix(&prefix)).and_then(|v| v.trim().parse::<f64>().ok())
    };
    let stage = |name: &str, labels: &str| {
        Some(Stage {
            stage: name.to_owned(),
            p50_ms: value(labels, "0.5")? * 1e3,
            p99_ms: value(labels, "0.99")? * 1e3,
            max_ms: value(labels, "1")? * 1e3,
        })
    };
    ORDER
        .iter()
        .filter_map(|name| stage(name, &format!("parta_write_stage_seconds{{stage=\"{name}\",")))
        .chain(stage("request", REQUEST))
        .collect()
}

pub async fn scrape(address: SocketAddr) -> anyhow::Result<Vec<Stage>> {
    let reply = Conn::new(address).get("/metrics", None).await.context("GET /metrics")?;
    Ok(parse(&String::from_utf8_lossy(&reply.body)))
}

/// `queue 0.05/0.31 ms, commit …` — median and p99 of each stage.
pub fn line(stages: &[Stage]) -> String {
    stages.iter().map(|s| format!("{} {:.2}/{:.2} ms", s.stage, s.p50_ms, s.p99_ms)).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stages_are_read_in_a_sends_order_and_missing_ones_left_out() {
        let text = "# TYPE parta_write_stage_seconds summary\n\
            parta_write_stage_seconds{stage=\"commit\",quantile=\"0.5\"} 0.0003\n\
            parta_write_stage_seconds{stage=\"commit\",quantile=\"0.99\"} 0.001\n\
            parta_write_stage_seconds{stage=\"commit\",quantile=\"1\"} 0.002\n\
            parta_write_stage_seconds{stage=\"queue\",quantile=\"0.5\"} 0.00005\n\
            parta_write_stage_seconds{stage=\"queue\",quantile=\"0.99\"} 0.0002\n\
            parta_write_stage_seconds{stage=\"queue\",quantile=\"1\"} 0.0004\n\
            parta_http_request_duration_seconds{method=\"POST\",route=\"/api/v1/chats/{chat_id}/messages\",quantile=\"0.5\"} 0.002\n\
            parta_http_request_duration_seconds{method=\"POST\",route=\"/api/v1/chats/{chat_id}/messages\",quantile=\"0.99\"} 0.004\n\
            parta_http_request_duration_seconds{method=\"POST\",route=\"/api/v1/chats/{chat_id}/messages\",quantile=\"1\"} 0.005\n";
        let stages = parse(text);
        assert_eq!(stages.iter().map(|s| s.stage.as_str()).collect::<Vec<_>>(), ["queue", "commit", "request"]);
        assert!((stages[2].p50_ms - 2.0).abs() < 1e-9);
        assert!((stages[1].p99_ms - 1.0).abs() < 1e-9);
        assert_eq!(line(&stages[..1]), "queue 0.05/0.20 ms");
    }
}
