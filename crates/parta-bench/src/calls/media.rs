//! One device in a Parta call: its WebSocket (signalling) and a synthetic WebRTC
//! client (`parta_sfu::client::Client`), both driven by one task, so hundreds of
//! devices share the runtime's few threads. The task waits on the WebSocket, the
//! client's UDP socket (registered with the runtime) and the client's next timer.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use parta_protocol::{ClientFrame, SdpKind, ServerFrame};
use parta_sfu::MediaKind;
use parta_sfu::client::{Arrival, Client, Sending};
use tokio::sync::{OwnedSemaphorePermit, watch};
use tokio_tungstenite::tungstenite::Message as WsMessage;

type Stream = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Where every device's progress is seen from the outside while they run.
pub struct Progress {
    /// Devices whose media path is up.
    pub connected: AtomicUsize,
    /// Per device: the senders from which something arrived.
    pub streams: Vec<AtomicUsize>,
    /// Datagrams read by all devices.
    pub datagrams_in: Arc<AtomicU64>,
    /// The devices' UDP ports, for the kernel's drop counts.
    pub ports: Arc<Mutex<Vec<u16>>>,
}

impl Progress {
    pub fn new(devices: usize) -> Progress {
        Progress {
            connected: AtomicUsize::new(0),
            streams: (0..devices).map(|_| AtomicUsize::new(0)).collect(),
            datagrams_in: Arc::new(AtomicU64::new(0)),
            ports: Arc::new(Mutex::new(Vec::new())),
        }
    }
}

/// What one device sent and received.
pub struct Outcome {
    /// The device's place in its plan.
    pub index: usize,
    pub peer_id: u64,
    pub sent: Vec<(MediaKind, u64)>,
    pub arrivals: Vec<Arrival>,
}

async fn next_text(stream: &mut Stream) -> anyhow::Result<String> {
    loop {
        match stream.next().await {
            Some(Ok(WsMessage::Text(text))) => return Ok(text.as_str().to_owned()),
            Some(Ok(WsMessage::Close(frame))) => anyhow::bail!("closed by the server: {frame:?}"),
            Some(Ok(_)) => continue,
            Some(Err(error)) => return Err(error.into()),
            None => anyhow::bail!("the connection ended"),
        }
    }
}

async fn send(stream: &mut Stream, frame: &ClientFrame) -> anyhow::Result<()> {
    stream.send(WsMessage::Text(serde_json::to_string(frame)?.into())).await?;
    Ok(())
}

/// Frames this device acts on; the rest (who is in the call, who speaks) are read and dropped.
fn is_call_frame(text: &str) -> bool {
    ["call_joined", "call_refused", "call_signal", "call_left"]
        .iter()
        .any(|kind| text.starts_with(&format!(r#"{{"type":"{kind}""#)))
}

/// Signs in on the WebSocket, joins `call` with an offer for `sending`, and runs
/// the device until `stop`. `permit` (joins in flight) is let go once media is up.
#[allow(clippy::too_many_arguments)]
pub async fn device(
    address: SocketAddr,
    token: String,
    call: i64,
    sending: Sending,
    index: usize,
    progress: Arc<Progress>,
    permit: OwnedSemaphorePermit,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Outcome> {
    let (mut ws, _) = tokio_tungstenite::connect_async(format!("ws://{address}/api/v1/ws")).await?;
    send(&mut ws, &ClientFrame::Auth { token }).await?;
    let welcome = next_text(&mut ws).await?;
    let ServerFrame::Welcome { user_seq, .. } = serde_json::from_str(&welcome)? else {
        anyhow::bail!("expected welcome, got {welcome}");
    };
    send(&mut ws, &ClientFrame::Resume { user_seq, chats: Vec::new() }).await?;
    while !next_text(&mut ws).await?.starts_with(r#"{"type":"ready""#) {}

    let (mut client, offer) = Client::offer(IpAddr::V4(Ipv4Addr::LOCALHOST), sending)?;
    client.record(true);
    let call_id = parta_domain::CallId(call);
    send(&mut ws, &ClientFrame::CallJoin { call_id, sdp: offer, audio: sending.audio, video: sending.video }).await?;
    let peer_id = loop {
        let text = next_text(&mut ws).await?;
        if !is_call_frame(&text) {
            continue;
        }
        match serde_json::from_str(&text)? {
            ServerFrame::CallJoined { peer_id, sdp, .. } => {
                client.accept_answer(&sdp)?;
                break peer_id as u64;
            }
            ServerFrame::CallRefused { code, .. } => anyhow::bail!("call_join refused: {code}"),
            _ => {}
        }
    };
    client.socket().set_nonblocking(true)?;
    progress.ports.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(client.socket().local_addr()?.port());
    let socket = tokio::net::UdpSocket::from_std(client.socket().try_clone()?)?;
    let mut permit = Some(permit);
    let mut seen_streams = 0;
    loop {
        let next = client.step(Instant::now());
        if permit.is_some() && client.is_connected() {
            permit = None;
            progress.connected.fetch_add(1, Ordering::Relaxed);
        }
        if !client.is_alive() {
            anyhow::bail!("device {index} (peer {peer_id}): its media connection ended");
        }
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            ready = socket.readable() => {
                ready?;
                // Read through the client: each datagram counts as arrived when the
                // kernel took it in, whatever this task's wait for a core. It reads until
                // the socket is empty, so the readiness is cleared (WouldBlock) each time.
                let mut read = 0;
                let result = socket.try_io(tokio::io::Interest::READABLE, || {
                    read = client.receive_waiting()?;
                    Err::<(), _>(ErrorKind::WouldBlock.into())
                });
                progress.datagrams_in.fetch_add(read as u64, Ordering::Relaxed);
                if let Err(error) = result && error.kind() != ErrorKind::WouldBlock {
                    return Err(error.into());
                }
                let streams = client.received.len();
                if streams != seen_streams {
                    seen_streams = streams;
                    progress.streams[index].store(streams, Ordering::Relaxed);
                }
            }
            message = ws.next() => {
                let text = match message {
                    Some(Ok(WsMessage::Text(text))) => text,
                    Some(Ok(WsMessage::Close(frame))) => anyhow::bail!("device {index}: closed by the server: {frame:?}"),
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => return Err(error.into()),
                    None => anyhow::bail!("device {index}: the connection ended"),
                };
                if !is_call_frame(text.as_str()) {
                    continue;
                }
                match serde_json::from_str(text.as_str())? {
                    ServerFrame::CallSignal { kind: SdpKind::Offer, sdp, .. } => {
                        let answer = client.accept_offer(&sdp).context("the unit's offer")?;
                        send(&mut ws, &ClientFrame::CallSignal { call_id, kind: SdpKind::Answer, sdp: answer }).await?;
                    }
                    ServerFrame::CallLeft { reason, .. } => anyhow::bail!("device {index}: left the call: {reason:?}"),
                    _ => {}
                }
            }
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(next)) => {}
        }
    }
    client.close();
    client.step(Instant::now());
    let _ = send(&mut ws, &ClientFrame::CallLeave { call_id }).await;
    let _ = ws.close(None).await;
    Ok(Outcome {
        index,
        peer_id,
        sent: std::mem::take(&mut client.sent),
        arrivals: std::mem::take(&mut client.arrivals),
    })
}
