//! Uploads are written to storage as they arrive: a real `parta serve` takes a large
//! file without holding it in memory.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::crash::{demo_teacher, start};
use crate::support::TestApp;

/// The most memory a process has held at once (`VmHWM`), in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

#[tokio::test]
async fn a_large_upload_is_not_held_in_memory() {
    const FILE: usize = 40 * 1024 * 1024;
    let app = TestApp::sqlite().await;
    let data = app.scratch_dir("serve-data");
    let server = start(&app, &data).await;
    let pid = server.child.id().expect("pid");
    let (token, chat) = demo_teacher(server.port).await;
    let before = peak_kib(pid);

    let boundary = "parta-upload-boundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"video.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", server.port)).await.expect("connect");
    let request = format!(
        "POST /api/v1/chats/{chat}/files HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\n\r\n{head}",
        head.len() + FILE + tail.len()
    );
    stream.write_all(request.as_bytes()).await.expect("request head");
    // The file goes out in 64 KiB pieces, as a phone on a slow network would send it.
    let piece: Vec<u8> = (0..64 * 1024u32).map(|i| (i % 251) as u8).collect();
    for _ in 0..FILE / piece.len() {
        stream.write_all(&piece).await.expect("file");
    }
    stream.write_all(tail.as_bytes()).await.expect("request tail");
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut response))
        .await
        .expect("answered")
        .expect("read");
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    assert!(response.contains(&format!("\"size\":{FILE}")), "{response}");

    let grown = peak_kib(pid).saturating_sub(before);
    eprintln!("peak memory grew by {grown} KiB for a {} KiB upload", FILE / 1024);
    assert!(grown < 16 * 1024, "a 40 MiB upload raised the peak memory by {grown} KiB: it was held in memory");
}
