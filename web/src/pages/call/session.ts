// One device in one call: the camera and microphone (chosen, previewed, switched), the
// RTCPeerConnection to the server's media unit, and the call frames of the shared
// WebSocket. The connection never renegotiates from this side: at joining it offers
// one audio and one video sender, and from then on the microphone, the camera, a
// shared screen or another device only swap the senders' tracks (null = nothing goes
// out). The video goes in two simulcast layers, and the page tells the media unit
// which one each remote tile needs (`call_view`). The server offers again whenever
// other people's tracks come or go; each is answered in turn. A dropped WebSocket or
// a lost connection rejoins with a fresh RTCPeerConnection while the page stays in
// the call. Each connection is built with the ICE servers (a TURN relay) the server
// gave with the call, read anew when old.
import { batch, effect, signal, untracked } from '@preact/signals';
import type { CallLeftReason, CallTileView, ClientFrame } from '../../api/types';
import { api } from '../../state';
import { chatCalls, onCallFrame, sendCallFrame, type CallFrame } from '../../calls/live';
import { emptyView, gradeQuality, levelOf, reduceCall, sampleOf, viewChanges, type CallAction, type CallView, type Quality, type StatsSample } from '../../calls/model';
import { connState } from '../../chat/store';
import { iceStale, rtcConfiguration, type IceSettings } from './ice';

export type Phase = 'prejoin' | 'joining' | 'waiting' | 'in' | 'reconnecting' | 'left' | 'refused';

export interface Devices {
  mics: { id: string; label: string }[];
  cams: { id: string; label: string }[];
}

/** Rejoins in a row without ever getting in before the page gives up. */
const MAX_REJOINS = 5;

/**
 * The video's simulcast layers, lowest first: `l` at half the size for small tiles,
 * `h` at full size (640×360 as the camera is asked for) for large ones. The media unit
 * sends each receiver the one its tile needs. A shared screen goes in both too: its
 * small tile is only a glimpse, and whoever shows it large receives `h`.
 */
const VIDEO_LAYERS: RTCRtpEncodingParameters[] = [
  { rid: 'l', scaleResolutionDownBy: 2, maxBitrate: 150_000 },
  { rid: 'h', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

export class CallSession {
  readonly callId: number;
  readonly phase = signal<Phase>('prejoin');
  readonly view = signal<CallView>(emptyView());
  /** peer → the media stream its tracks arrive in (`p<peer_id>`). */
  readonly streams = signal<Record<number, MediaStream>>({});
  /** Grows whenever a remote stream gains or loses a track. */
  readonly tracksTick = signal(0);
  /** What this device shows itself: the camera or the shared screen. */
  readonly preview = signal<MediaStream | null>(null);
  readonly micOn = signal(true);
  readonly camOn = signal(true);
  readonly sharing = signal(false);
  readonly devices = signal<Devices>({ mics: [], cams: [] });
  readonly micId = signal<string>('');
  readonly camId = signal<string>('');
  readonly level = signal(0);
  readonly quality = signal<{ quality: Quality; rttMs: number | null; lossPct: number | null }>({ quality: 'unknown', rttMs: null, lossPct: null });
  /** Why the camera or microphone could not be opened (a dictionary key). */
  readonly mediaProblem = signal<'no_devices' | 'denied' | 'no_camera' | 'no_mic' | null>(null);
  readonly refusal = signal<{ code: string; detail: string } | null>(null);
  readonly leftReason = signal<CallLeftReason | null>(null);
  /** The host turned this device's microphone or camera off. */
  readonly hostMuted = signal<'audio' | 'video' | null>(null);
  /** A broadcast's viewer: joins with nothing to send and asks for no devices until on stage. */
  readonly viewer = signal(false);
  /** A viewer brought on stage by the host (`call_stage`). */
  readonly onStage = signal(false);
  /** This device's hand is up. */
  readonly hand = signal(false);

  private micTrack: MediaStreamTrack | null = null;
  private camTrack: MediaStreamTrack | null = null;
  private screenTrack: MediaStreamTrack | null = null;
  private pc: RTCPeerConnection | null = null;
  private audioSender: RTCRtpSender | null = null;
  private videoSender: RTCRtpSender | null = null;
  /** Signalling steps of the current connection, one after another. */
  private chain: Promise<void> = Promise.resolve();
  private generation = 0;
  private rejoins = 0;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private lastSample: StatsSample | null = null;
  private meter: { ctx: AudioContext; timer: ReturnType<typeof setInterval> } | null = null;
  private stops: (() => void)[] = [];
  private closed = false;
  /** How connections reach the media unit, and when the server said so. */
  private ice: IceSettings | null = null;
  private iceAt: number | null = null;
  /** How the page shows each other device's video, and what the unit was last told of it. */
  private wantedViews: Record<number, CallTileView> = {};
  private sentViews: Record<number, CallTileView> = {};
  private viewsTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(callId: number) {
    this.callId = callId;
    this.stops.push(onCallFrame((f) => this.onFrame(f)));
    this.stops.push(
      effect(() => {
        const s = connState.value;
        // Only the connection's state is followed here; the steps run outside the effect.
        untracked(() => {
          if (s === 'live') {
            if (this.phase.value === 'reconnecting') setTimeout(() => void this.connect(), 0);
          } else if (this.phase.value === 'in' || this.phase.value === 'joining' || this.phase.value === 'waiting') {
            // The server forgets this device with the socket: rejoin once it is back.
            this.dropConnection();
            this.phase.value = 'reconnecting';
          }
        });
      }),
    );
    const devs = () => void this.listDevices();
    navigator.mediaDevices?.addEventListener?.('devicechange', devs);
    this.stops.push(() => navigator.mediaDevices?.removeEventListener?.('devicechange', devs));
  }

  private chatId: number | null = null;
  private openSeen = false;
  /** The call was seen open in its chat (an announced one may open while this page waits). */
  readonly opened = signal(false);

  /** Follows the call's chat: an announced meeting opening lets those waiting for it offer again. */
  setChat(chatId: number): void {
    if (this.chatId !== null) return;
    this.chatId = chatId;
    this.stops.push(
      effect(() => {
        const c = chatCalls.value[chatId];
        untracked(() => {
          if (!c || c.id !== this.callId || this.openSeen) return;
          this.openSeen = true;
          this.opened.value = true;
          if (this.phase.value === 'waiting') setTimeout(() => void this.connect(), 0);
        });
      }),
    );
  }

  /** The ICE servers and policy of a call just read (the page's read, or a fresher one). */
  setIce(from: IceSettings): void {
    this.ice = { ice_servers: from.ice_servers, ice_transport_policy: from.ice_transport_policy };
    this.iceAt = Date.now();
  }

  /** A credential read too long ago is read again (a failed read keeps the old one). */
  private async freshIce(): Promise<void> {
    if (!iceStale(this.iceAt, Date.now())) return;
    try {
      const call = await api.get('/api/v1/calls/{call_id}', { call_id: this.callId });
      this.setIce(call);
    } catch {
      /* the next join asks again */
    }
  }

  /** A broadcast's viewer sends nothing: no camera, no microphone, until brought on stage. */
  setViewer(on: boolean): void {
    if (this.viewer.peek() === on) return;
    batch(() => {
      this.viewer.value = on;
      if (on) this.micOn.value = this.camOn.value = false;
    });
  }

  get canShareScreen(): boolean {
    return typeof navigator !== 'undefined' && !!navigator.mediaDevices && typeof navigator.mediaDevices.getDisplayMedia === 'function';
  }

  // ---------- devices ----------

  /** Opens the chosen (or default) camera and microphone for the check before joining. */
  async openDevices(): Promise<void> {
    const md = navigator.mediaDevices;
    if (!md?.getUserMedia) {
      this.mediaProblem.value = 'no_devices';
      this.micOn.value = this.camOn.value = false;
      return;
    }
    let stream: MediaStream | null = null;
    try {
      stream = await md.getUserMedia({ audio: this.audioConstraints(), video: this.videoConstraints() });
    } catch (e) {
      const denied = e instanceof DOMException && e.name === 'NotAllowedError';
      try {
        stream = await md.getUserMedia({ audio: this.audioConstraints() });
        this.mediaProblem.value = denied ? 'denied' : 'no_camera';
      } catch {
        try {
          stream = await md.getUserMedia({ video: this.videoConstraints() });
          this.mediaProblem.value = denied ? 'denied' : 'no_mic';
        } catch {
          this.mediaProblem.value = denied ? 'denied' : 'no_devices';
        }
      }
    }
    if (this.closed) {
      stream?.getTracks().forEach((t) => t.stop());
      return;
    }
    this.micTrack = stream?.getAudioTracks()[0] ?? null;
    this.camTrack = stream?.getVideoTracks()[0] ?? null;
    batch(() => {
      this.micOn.value = !!this.micTrack;
      this.camOn.value = !!this.camTrack;
      if (this.micTrack) this.micId.value = this.micTrack.getSettings().deviceId ?? '';
      if (this.camTrack) this.camId.value = this.camTrack.getSettings().deviceId ?? '';
    });
    this.showPreview();
    this.startMeter();
    await this.listDevices();
  }

  private audioConstraints(): MediaTrackConstraints | boolean {
    return this.micId.value ? { deviceId: { exact: this.micId.value } } : true;
  }

  private videoConstraints(): MediaTrackConstraints {
    const size = { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 24, max: 30 } };
    return this.camId.value ? { ...size, deviceId: { exact: this.camId.value } } : size;
  }

  private async listDevices(): Promise<void> {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      const pick = (kind: MediaDeviceKind, word: string) =>
        all.filter((d) => d.kind === kind && d.deviceId).map((d, i) => ({ id: d.deviceId, label: d.label || `${word} ${i + 1}` }));
      this.devices.value = { mics: pick('audioinput', 'Микрофон'), cams: pick('videoinput', 'Камера') };
    } catch {
      /* the lists stay as they were */
    }
  }

  private showPreview(): void {
    const track = this.screenTrack ?? (this.camOn.value ? this.camTrack : null);
    this.preview.value = track ? new MediaStream([track]) : null;
  }

  /** The microphone's level, for the check before joining and the own tile. */
  private startMeter(): void {
    this.stopMeter();
    if (!this.micTrack || typeof AudioContext === 'undefined') return;
    try {
      const ctx = new AudioContext();
      const source = ctx.createMediaStreamSource(new MediaStream([this.micTrack]));
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 512;
      source.connect(analyser);
      const buf = new Uint8Array(analyser.fftSize);
      const timer = setInterval(() => {
        if (ctx.state === 'suspended') void ctx.resume().catch(() => {});
        analyser.getByteTimeDomainData(buf);
        const next = this.micOn.value ? levelOf(buf) : 0;
        // Falls slowly, so the bar does not flicker.
        this.level.value = Math.max(next, this.level.value * 0.7);
      }, 100);
      this.meter = { ctx, timer };
    } catch {
      /* no level then */
    }
  }

  private stopMeter(): void {
    if (!this.meter) return;
    clearInterval(this.meter.timer);
    void this.meter.ctx.close().catch(() => {});
    this.meter = null;
    this.level.value = 0;
  }

  /** Another microphone: its track replaces the old one, in the call too. */
  async chooseMic(id: string): Promise<void> {
    this.micId.value = id;
    let track: MediaStreamTrack | null = null;
    try {
      track = (await navigator.mediaDevices.getUserMedia({ audio: this.audioConstraints() })).getAudioTracks()[0] ?? null;
    } catch {
      this.mediaProblem.value = 'no_mic';
      return;
    }
    this.micTrack?.stop();
    this.micTrack = track;
    if (track) track.enabled = this.micOn.value;
    await this.audioSender?.replaceTrack(this.micOn.value ? track : null).catch(() => {});
    this.startMeter();
  }

  /** Another camera: shown at once, and sent when the camera is on (and no screen is shared). */
  async chooseCam(id: string): Promise<void> {
    this.camId.value = id;
    if (!this.camOn.value) return; // opened when the camera is turned on
    let track: MediaStreamTrack | null = null;
    try {
      track = (await navigator.mediaDevices.getUserMedia({ video: this.videoConstraints() })).getVideoTracks()[0] ?? null;
    } catch {
      this.mediaProblem.value = 'no_camera';
      return;
    }
    this.camTrack?.stop();
    this.camTrack = track;
    if (!this.screenTrack) await this.videoSender?.replaceTrack(track).catch(() => {});
    this.showPreview();
  }

  // ---------- switches ----------

  async setMic(on: boolean): Promise<void> {
    if (on && !this.micTrack) {
      try {
        this.micTrack = (await navigator.mediaDevices.getUserMedia({ audio: this.audioConstraints() })).getAudioTracks()[0] ?? null;
        this.startMeter();
      } catch {
        this.mediaProblem.value = 'no_mic';
        return;
      }
    }
    if (!this.micTrack) on = false;
    this.micOn.value = on;
    if (this.micTrack) this.micTrack.enabled = on;
    if (on && this.hostMuted.value === 'audio') this.hostMuted.value = null;
    // Nothing goes out while off: the sender has no track.
    await this.audioSender?.replaceTrack(on ? this.micTrack : null).catch(() => {});
    this.sendMedia();
  }

  async setCam(on: boolean): Promise<void> {
    if (on) {
      if (!this.camTrack || this.camTrack.readyState === 'ended') {
        try {
          this.camTrack = (await navigator.mediaDevices.getUserMedia({ video: this.videoConstraints() })).getVideoTracks()[0] ?? null;
        } catch {
          this.mediaProblem.value = 'no_camera';
          return;
        }
      }
      if (!this.camTrack) return;
      if (this.hostMuted.value === 'video') this.hostMuted.value = null;
    } else {
      // The camera's light goes out too.
      this.camTrack?.stop();
      this.camTrack = null;
    }
    this.camOn.value = on;
    if (!this.screenTrack) await this.videoSender?.replaceTrack(on ? this.camTrack : null).catch(() => {});
    this.showPreview();
    this.sendMedia();
  }

  /** Shares a screen (or a window) in place of the camera; back to the camera when it ends. */
  async shareScreen(): Promise<void> {
    if (!this.canShareScreen || this.screenTrack) return;
    let track: MediaStreamTrack | null = null;
    try {
      const s = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 10, max: 15 } }, audio: false });
      track = s.getVideoTracks()[0] ?? null;
    } catch {
      return; // the person changed their mind
    }
    if (!track) return;
    this.screenTrack = track;
    track.addEventListener('ended', () => void this.stopSharing());
    await this.videoSender?.replaceTrack(track).catch(() => {});
    // Said shared once the screen is what goes out, not before.
    this.sharing.value = true;
    this.showPreview();
    this.sendMedia();
  }

  async stopSharing(): Promise<void> {
    const track = this.screenTrack;
    if (!track) return;
    this.screenTrack = null;
    track.stop();
    await this.videoSender?.replaceTrack(this.camOn.value ? this.camTrack : null).catch(() => {});
    this.sharing.value = false;
    this.showPreview();
    this.sendMedia();
  }

  private sendMedia(): void {
    if (this.phase.value !== 'in') return;
    this.send({ type: 'call_media', call_id: this.callId, audio: this.micOn.value, video: this.camOn.value || this.sharing.value });
  }

  private send(f: ClientFrame): boolean {
    return sendCallFrame(f);
  }

  // ---------- the connection ----------

  /** Joins with the camera on or off («только звук»). */
  async join(withCamera: boolean): Promise<void> {
    if (!withCamera && this.camOn.value) await this.setCam(false);
    this.rejoins = 0;
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.dropConnection();
    const gen = ++this.generation;
    const first = this.phase.value === 'prejoin' || this.phase.value === 'joining' || this.phase.value === 'waiting';
    this.phase.value = first ? 'joining' : 'reconnecting';
    this.view.value = reduceCall(this.view.value, { type: 'reset' });
    // A fresh peer at the unit: every choice is told again.
    this.sentViews = {};
    if (connState.value !== 'live') {
      this.phase.value = 'reconnecting'; // the effect above connects when the socket is back
      return;
    }
    await this.freshIce();
    if (gen !== this.generation || this.closed) return;
    const pc = new RTCPeerConnection(rtcConfiguration(this.ice));
    this.pc = pc;
    const silent = this.viewer.value && !this.onStage.value;
    const mic = this.micOn.value && !silent ? this.micTrack : null;
    const video = silent ? null : (this.screenTrack ?? (this.camOn.value ? this.camTrack : null));
    this.audioSender = pc.addTransceiver(mic ?? 'audio', { direction: 'sendonly' }).sender;
    this.videoSender = pc.addTransceiver(video ?? 'video', { direction: 'sendonly', sendEncodings: VIDEO_LAYERS.map((l) => ({ ...l })) }).sender;
    pc.addEventListener('track', (e) => this.onTrack(e));
    pc.addEventListener('connectionstatechange', () => {
      if (this.pc !== pc) return;
      if (pc.connectionState === 'failed') this.rejoin();
    });
    try {
      await pc.setLocalDescription(await pc.createOffer());
    } catch {
      this.refuse('bad_offer', '');
      return;
    }
    if (gen !== this.generation) return;
    const sent = this.send({
      type: 'call_join',
      call_id: this.callId,
      sdp: pc.localDescription!.sdp,
      audio: !!mic,
      video: !!video,
    });
    if (!sent) {
      this.dropConnection();
      this.phase.value = 'reconnecting';
    }
  }

  /** Another try with a fresh connection (the media path was lost). */
  private rejoin(): void {
    if (this.closed || this.phase.value === 'left' || this.phase.value === 'refused') return;
    if (++this.rejoins > MAX_REJOINS) {
      this.finish('lost');
      return;
    }
    this.phase.value = 'reconnecting';
    setTimeout(() => void this.connect(), Math.min(4000, 300 * this.rejoins));
  }

  private onTrack(e: RTCTrackEvent): void {
    const stream = e.streams[0];
    if (!stream || !stream.id.startsWith('p')) return;
    const peer = Number(stream.id.slice(1));
    if (!Number.isFinite(peer)) return;
    const bump = () => (this.tracksTick.value += 1);
    if (this.streams.value[peer] !== stream) {
      stream.addEventListener('addtrack', bump);
      stream.addEventListener('removetrack', bump);
      this.streams.value = { ...this.streams.value, [peer]: stream };
    }
    e.track.addEventListener('unmute', bump);
    e.track.addEventListener('mute', bump);
    e.track.addEventListener('ended', bump);
    bump();
    if (e.track.kind === 'video') {
      // The unit opens a newly forwarded track at the top layer, whatever was chosen before.
      delete this.sentViews[peer];
      this.scheduleViews();
    }
  }

  /** Serializes signalling steps of the current connection. */
  private step(f: (pc: RTCPeerConnection) => Promise<void>): void {
    const pc = this.pc;
    const gen = this.generation;
    if (!pc) return;
    this.chain = this.chain
      .then(() => (gen === this.generation && this.pc === pc ? f(pc) : undefined))
      .catch(() => {
        if (gen === this.generation) this.rejoin();
      });
  }

  private onFrame(f: CallFrame): void {
    if (f.call_id !== this.callId || this.closed) return;
    switch (f.type) {
      case 'call_joined':
        if (this.phase.value !== 'joining' && this.phase.value !== 'reconnecting') return;
        this.dispatch({ type: 'joined', peer: f.peer_id });
        // A fresher credential, for the next connection (this one is built already).
        if (this.ice && f.ice_servers.length) this.setIce({ ...this.ice, ice_servers: f.ice_servers });
        this.step(async (pc) => {
          await pc.setRemoteDescription({ type: 'answer', sdp: f.sdp });
          this.phase.value = 'in';
          this.rejoins = 0;
          this.scheduleViews();
          this.startStats();
          this.stopMeter();
          this.startMeter();
        });
        break;
      case 'call_signal':
        if (f.kind === 'offer') {
          this.step(async (pc) => {
            await pc.setRemoteDescription({ type: 'offer', sdp: f.sdp });
            await pc.setLocalDescription(await pc.createAnswer());
            this.send({ type: 'call_signal', call_id: this.callId, kind: 'answer', sdp: pc.localDescription!.sdp });
          });
        } else {
          this.step((pc) => pc.setRemoteDescription({ type: 'answer', sdp: f.sdp }));
        }
        break;
      case 'call_waiting':
        // Nobody answers this offer: the device waits for `call_admitted` and offers again.
        this.dropConnection();
        this.phase.value = 'waiting';
        break;
      case 'call_admitted':
        if (this.phase.value === 'waiting') void this.connect();
        break;
      case 'call_waiting_room':
        this.dispatch({ type: 'waiting_room', waiting: f.waiting });
        break;
      case 'call_stage':
        void this.stage(f.on);
        break;
      case 'call_participants': {
        this.dispatch({ type: 'participants', participants: f.participants, viewers: f.viewers, hostId: f.host_id, locked: f.locked });
        const mine = f.participants.find((p) => p.peer_id === this.view.value.me);
        this.hand.value = !!mine?.hand_raised;
        if (mine?.on_stage && this.viewer.value && !this.onStage.value) void this.stage(true);
        const present = new Set(f.participants.map((p) => p.peer_id));
        const kept = Object.fromEntries(Object.entries(this.streams.value).filter(([k]) => present.has(Number(k))));
        if (Object.keys(kept).length !== Object.keys(this.streams.value).length) this.streams.value = kept;
        break;
      }
      case 'call_speaking':
        this.dispatch({ type: 'speaking', peer: f.peer_id, at: Date.now() });
        break;
      case 'call_left':
        if (f.reason === 'lost' && (this.phase.value === 'in' || this.phase.value === 'joining')) this.rejoin();
        else if (f.reason !== 'lost' || this.phase.value !== 'reconnecting') this.finish(f.reason);
        break;
      case 'call_refused':
        if (f.code === 'call_ended') this.finish('ended');
        else if (f.code === 'removed' || f.code === 'removed_from_call') this.finish('removed');
        else this.refuse(f.code, f.detail);
        break;
      case 'call_muted':
        this.hostMuted.value = f.kind;
        if (f.kind === 'audio') void this.setMic(false);
        else if (this.sharing.value) void this.stopSharing().then(() => this.setCam(false));
        else void this.setCam(false);
        break;
      default:
        break;
    }
  }

  /** Raises or lowers this device's hand. */
  raiseHand(raised: boolean): void {
    if (this.phase.value !== 'in') return;
    this.hand.value = raised;
    this.send({ type: 'call_hand', call_id: this.callId, raised });
  }

  /** On stage: the camera and microphone are asked for and sent; off: nothing goes out again. */
  private async stage(on: boolean): Promise<void> {
    if (!this.viewer.value || this.onStage.value === on) return;
    this.onStage.value = on;
    if (on) {
      await this.openDevices();
      if (!this.onStage.value) return;
      await this.audioSender?.replaceTrack(this.micOn.value ? this.micTrack : null).catch(() => {});
      await this.videoSender?.replaceTrack(this.camOn.value ? this.camTrack : null).catch(() => {});
    } else {
      await this.audioSender?.replaceTrack(null).catch(() => {});
      await this.videoSender?.replaceTrack(null).catch(() => {});
      this.stopMedia();
      batch(() => {
        this.micOn.value = this.camOn.value = false;
      });
    }
    this.sendMedia();
  }

  /** How the page shows each other device's video now (`wantedViews`); told to the unit
   *  on the next tick, only where it changed, so a burst of renders makes one batch. */
  setViews(wanted: Record<number, CallTileView>): void {
    this.wantedViews = wanted;
    this.scheduleViews();
  }

  private scheduleViews(): void {
    if (this.viewsTimer !== null || this.closed) return;
    this.viewsTimer = setTimeout(() => {
      this.viewsTimer = null;
      this.sendViews();
    }, 0);
  }

  private sendViews(): void {
    if (this.phase.value !== 'in') return; // told once in
    for (const [peer, view] of viewChanges(this.sentViews, this.wantedViews)) {
      if (!this.send({ type: 'call_view', call_id: this.callId, peer_id: peer, view })) return;
      this.sentViews[peer] = view;
    }
    const present = new Set(this.view.value.participants.map((p) => p.peer_id));
    for (const peer of Object.keys(this.sentViews)) if (!present.has(Number(peer))) delete this.sentViews[Number(peer)];
  }

  /** Shows a device large in the speaker view (null: the loudest voice again). */
  pin(peer: number | null): void {
    this.dispatch({ type: 'pin', peer });
  }

  private dispatch(a: CallAction): void {
    this.view.value = reduceCall(this.view.value, a);
  }

  private startStats(): void {
    this.stopStats();
    this.lastSample = null;
    const pc = this.pc;
    this.statsTimer = setInterval(async () => {
      if (!pc || this.pc !== pc) return;
      try {
        const report = await pc.getStats();
        const sample = sampleOf(report.values() as Iterable<Record<string, unknown> & { type: string; id: string }>);
        this.quality.value = gradeQuality(this.lastSample, sample);
        this.lastSample = sample;
      } catch {
        /* the next one */
      }
    }, 2000);
  }

  private stopStats(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  private dropConnection(): void {
    this.generation++;
    this.stopStats();
    const pc = this.pc;
    this.pc = null;
    this.audioSender = this.videoSender = null;
    this.chain = Promise.resolve();
    this.streams.value = {};
    this.quality.value = { quality: 'unknown', rttMs: null, lossPct: null };
    try {
      pc?.close();
    } catch {
      /* closed already */
    }
  }

  private refuse(code: string, detail: string): void {
    this.dropConnection();
    this.refusal.value = { code, detail };
    this.phase.value = 'refused';
  }

  private finish(reason: CallLeftReason): void {
    this.dropConnection();
    this.stopMedia();
    batch(() => {
      this.leftReason.value = reason;
      this.phase.value = 'left';
    });
  }

  /** Leaves the call (the button, or the page closing). */
  leave(): void {
    if (this.phase.value === 'in' || this.phase.value === 'joining' || this.phase.value === 'reconnecting' || this.phase.value === 'waiting') {
      this.send({ type: 'call_leave', call_id: this.callId });
    }
    this.finish('left');
  }

  private stopMedia(): void {
    this.stopMeter();
    for (const t of [this.micTrack, this.camTrack, this.screenTrack]) t?.stop();
    this.micTrack = this.camTrack = this.screenTrack = null;
    this.sharing.value = false;
    this.preview.value = null;
  }

  /** The page goes away: out of the call, devices released, frames no longer heard. */
  close(): void {
    if (this.closed) return;
    this.leave();
    this.closed = true;
    if (this.viewsTimer !== null) clearTimeout(this.viewsTimer);
    for (const s of this.stops.splice(0)) s();
  }
}
