//! The unit forwards between synthetic participants over real UDP on loopback.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use parta_sfu::client::{Client, Sending};
use parta_sfu::{JoinOptions, Layer, MediaKind, PeerId, RoomId, Sfu, SfuConfig, SfuEvent, Signal};

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const TALKING: Sending = Sending { audio: true, loudness: -30, video: true, video_frame_bytes: 3000, simulcast: false };
const LAYERED: Sending = Sending { simulcast: true, ..TALKING };

struct Room {
    sfu: Sfu,
    events: mpsc::Receiver<SfuEvent>,
    clients: Vec<(PeerId, Client)>,
    /// Peers the unit said are gone.
    gone: Vec<PeerId>,
}

impl Room {
    fn new() -> Room {
        let (tx, events) = mpsc::channel();
        let config = SfuConfig { bind: SocketAddr::new(LOOPBACK, 0), public: Vec::new() };
        let sfu = Sfu::start(config, move |event| {
            let _ = tx.send(event);
        })
        .expect("the unit starts");
        Room { sfu, events, clients: Vec::new(), gone: Vec::new() }
    }

    fn join(&mut self, room: u64, peer: u64, sending: Sending, may_send: bool) {
        let (mut client, offer) = Client::offer(LOOPBACK, sending).expect("an offer");
        let answer = self.sfu.join(RoomId(room), PeerId(peer), &offer, JoinOptions { may_send }).expect("joined");
        client.accept_answer(&answer).expect("answer accepted");
        self.clients.push((PeerId(peer), client));
    }

    /// Drives every client and answers the unit's offers for `time`.
    fn run(&mut self, time: Duration) {
        let until = Instant::now() + time;
        while Instant::now() < until {
            for (_, client) in &mut self.clients {
                client.drive(Instant::now() + Duration::from_millis(2));
            }
            while let Ok(event) = self.events.try_recv() {
                match event {
                    SfuEvent::Signal { peer, signal: Signal::Offer(sdp) } => {
                        let (_, client) = self.clients.iter_mut().find(|(id, _)| *id == peer).expect("a client");
                        let answer = client.accept_offer(&sdp).expect("offer accepted");
                        self.sfu.signal(peer, Signal::Answer(answer)).expect("signalled");
                    }
                    SfuEvent::Gone { peer } => self.gone.push(peer),
                    _ => {}
                }
            }
        }
    }

    fn client(&mut self, peer: u64) -> &mut Client {
        &mut self.clients.iter_mut().find(|(id, _)| id.0 == peer).expect("a client").1
    }

    fn received(&self, by: u64, from: u64) -> parta_sfu::client::Received {
        let (_, client) = self.clients.iter().find(|(id, _)| id.0 == by).expect("a client");
        client.received.get(&PeerId(from).stream_id()).copied().unwrap_or_default()
    }
}

#[test]
fn three_participants_each_receive_the_others_audio_and_video() {
    let mut room = Room::new();
    room.join(1, 10, TALKING, true);
    room.join(1, 11, TALKING, true);
    room.run(Duration::from_millis(1500));
    room.join(1, 12, TALKING, true);
    room.run(Duration::from_millis(1500));
    for (by, from) in [(10, 11), (11, 10), (10, 12), (12, 10), (11, 12), (12, 11)] {
        let got = room.received(by, from);
        assert!(got.audio_frames > 10 && got.video_frames > 5, "{by} from {from}: {got:?}");
    }
    assert_eq!(room.received(10, 10), Default::default(), "nobody receives themselves");
}

#[test]
fn rooms_are_apart_and_a_viewer_sends_nothing() {
    let mut room = Room::new();
    room.join(1, 20, TALKING, true);
    room.join(2, 21, TALKING, true);
    room.join(1, 22, TALKING, false);
    room.run(Duration::from_millis(2000));
    assert!(room.received(22, 20).video_frames > 5, "the viewer receives the presenter");
    assert_eq!(room.received(20, 21), Default::default(), "another room's media stays there");
    assert_eq!(room.received(20, 22), Default::default(), "a viewer's media is dropped");
    // Brought on stage, the viewer's tracks reach the room; taken off, they stop.
    room.sfu.set_may_send(PeerId(22), true).expect("on stage");
    room.run(Duration::from_millis(1500));
    let on_stage = room.received(20, 22);
    assert!(on_stage.audio_frames > 10 && on_stage.video_frames > 5, "{on_stage:?}");
    room.sfu.set_may_send(PeerId(22), false).expect("off stage");
    room.run(Duration::from_millis(300));
    let off = room.received(20, 22);
    room.run(Duration::from_millis(700));
    assert_eq!(room.received(20, 22), off, "nothing after leaving the stage");
}

#[test]
fn a_removed_peer_stops_at_once_and_a_blocked_kind_stops_being_forwarded() {
    let mut room = Room::new();
    room.join(1, 30, TALKING, true);
    room.join(1, 31, TALKING, true);
    room.join(1, 32, TALKING, true);
    room.run(Duration::from_millis(1500));
    room.sfu.remove(PeerId(31)).expect("removed");
    room.sfu.block(PeerId(32), MediaKind::Audio, true).expect("blocked");
    room.run(Duration::from_millis(300));
    let (from_31, from_32) = (room.received(30, 31), room.received(30, 32));
    room.run(Duration::from_millis(1000));
    assert_eq!(room.received(30, 31), from_31, "nothing arrives from a removed peer after 300 ms");
    let later = room.received(30, 32);
    assert_eq!(later.audio_frames, from_32.audio_frames, "blocked audio is not forwarded");
    assert!(later.video_frames > from_32.video_frames, "its video still is");
    assert_eq!(room.gone, [PeerId(31)], "the unit says the removed peer is gone");
}

#[test]
fn each_receiver_gets_the_layer_it_shows_and_nothing_of_a_tile_not_shown() {
    let mut room = Room::new();
    room.join(1, 40, LAYERED, true);
    room.join(1, 41, TALKING, true);
    room.join(1, 42, TALKING, true);
    room.run(Duration::from_millis(1500));
    // 41 shows 40 large, 42 small: full frames to one, quarter frames to the other.
    room.sfu.view(PeerId(42), PeerId(40), Layer::Low).expect("viewed");
    room.run(Duration::from_millis(300));
    let (high_0, low_0) = (room.received(41, 40), room.received(42, 40));
    room.run(Duration::from_millis(1000));
    let (high, low) = (room.received(41, 40), room.received(42, 40));
    let per_frame = |a: parta_sfu::client::Received, b: parta_sfu::client::Received| {
        (a.video_bytes - b.video_bytes) / (a.video_frames - b.video_frames).max(1)
    };
    assert!(per_frame(high, high_0) >= 2900, "the top layer: {high:?}");
    assert!((700..=800).contains(&per_frame(low, low_0)), "the low layer: {low:?}");
    assert!(
        high.video_frames - high_0.video_frames >= 10 && low.video_frames - low_0.video_frames >= 10,
        "{high_0:?} {high:?} {low_0:?} {low:?}"
    );
    // A tile not shown gets no video, and its sender's audio still.
    room.sfu.view(PeerId(42), PeerId(40), Layer::Off).expect("viewed");
    room.run(Duration::from_millis(300));
    let off = room.received(42, 40);
    room.run(Duration::from_millis(700));
    let later = room.received(42, 40);
    assert_eq!(later.video_frames, off.video_frames, "no video of a tile not shown");
    assert!(later.audio_frames > off.audio_frames + 10, "its audio goes on");
}

#[test]
fn a_receiver_switching_layers_gets_one_steady_clock_and_frames_all_along() {
    let mut room = Room::new();
    room.join(1, 50, LAYERED, true);
    room.join(1, 51, TALKING, true);
    room.run(Duration::from_millis(1500));
    let per_frame = |a: parta_sfu::client::Received, b: parta_sfu::client::Received| {
        (a.video_bytes - b.video_bytes) / (a.video_frames - b.video_frames).max(1)
    };
    // The layers' clocks are a hundred seconds apart: each switch would jump that far.
    for (layer, sizes) in [(Layer::Low, 700..=800), (Layer::High, 2900..=3100), (Layer::Low, 700..=800)] {
        room.sfu.view(PeerId(51), PeerId(50), layer).expect("viewed");
        room.run(Duration::from_millis(300));
        let before = room.received(51, 50);
        room.run(Duration::from_millis(1000));
        let after = room.received(51, 50);
        assert!(after.video_frames >= before.video_frames + 10, "frames go on at {layer:?}: {before:?} {after:?}");
        assert!(sizes.contains(&per_frame(after, before)), "the {layer:?} layer: {before:?} {after:?}");
    }
    let got = room.received(51, 50);
    // A loaded machine may stall a frame or two; never for ten seconds.
    assert!(got.largest_video_step < 900_000, "the written clock jumped {} ticks: {got:?}", got.largest_video_step);
}

#[test]
fn a_receiver_of_a_paused_top_layer_gets_the_low_one_until_it_is_back() {
    let mut room = Room::new();
    room.join(1, 60, LAYERED, true);
    room.join(1, 61, TALKING, true);
    room.run(Duration::from_millis(1500));
    let per_frame = |a: parta_sfu::client::Received, b: parta_sfu::client::Received| {
        (a.video_bytes - b.video_bytes) / (a.video_frames - b.video_frames).max(1)
    };
    // Shown large; the sender's path narrows and it sends its low layer only, then both again.
    for (paused, sizes) in [(true, 700..=800), (false, 2900..=3100)] {
        room.client(60).pause_top_layer(paused);
        room.run(Duration::from_millis(2000));
        let before = room.received(61, 60);
        room.run(Duration::from_millis(1000));
        let after = room.received(61, 60);
        assert!(
            after.video_frames >= before.video_frames + 10,
            "frames go on (top paused: {paused}): {before:?} {after:?}"
        );
        assert!(sizes.contains(&per_frame(after, before)), "top paused: {paused}: {before:?} {after:?}");
    }
}

#[test]
fn a_room_hears_its_three_loudest_voices_and_everyone_s_video() {
    let mut room = Room::new();
    // The quiet ones join first and take the free places; the voices louder than them
    // take those places as they start. 74 listens, as quiet as a closed microphone.
    for (peer, loudness) in [(70, -65), (71, -60), (72, -20), (73, -25), (74, -127)] {
        room.join(1, peer, Sending { loudness, ..TALKING }, true);
    }
    room.run(Duration::from_millis(2000));
    let before: Vec<_> = (70..=73).map(|from| room.received(74, from)).collect();
    room.run(Duration::from_millis(1000));
    let after: Vec<_> = (70..=73).map(|from| room.received(74, from)).collect();
    for (from, (b, a)) in (70..=73).zip(before.iter().zip(&after)) {
        assert!(a.video_frames > b.video_frames + 10, "everyone's video reaches 74, {from}'s too: {b:?} {a:?}");
    }
    // The three loudest are 72, 73 and 71; 70's room noise and 74's silence stay out.
    assert_eq!(after[0].audio_frames, before[0].audio_frames, "70 is not heard: {:?}", after[0]);
    for loud in [1, 2, 3] {
        assert!(after[loud].audio_frames > before[loud].audio_frames + 20, "{} is heard: {:?}", 70 + loud, after[loud]);
    }
    let from_74 = room.received(70, 74);
    room.run(Duration::from_millis(500));
    assert_eq!(room.received(70, 74).audio_frames, from_74.audio_frames, "74 is not heard");
    assert!(room.received(70, 74).video_frames > from_74.video_frames + 5, "74's video is");
}
