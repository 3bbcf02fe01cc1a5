// The pure rules of a call on screen: who is in it (from `call_participants`), who
// speaks (`call_speaking`), which tiles show and in what order (grid or speaker view),
// how many columns the grid takes, how good the connection is (from getStats()
// samples), the microphone's level, and the words for every refusal and every way of
// leaving. No browser objects here: the call page (../pages/call) feeds these.
import type { Call, CallParticipant, PersonRef } from '../api/types';

/** A call as the server describes it (`GET /api/v1/calls/{call_id}`). */
export type CallInfo = Call;

export interface CallView {
  participants: CallParticipant[];
  /** This device's place in the call, once joined. */
  me: number | null;
  /** The loudest voice (a peer id), while that peer is in the call. */
  speaker: number | null;
  /** Chosen by hand for the large tile (overrides the speaker). */
  pinned: number | null;
  /** Peers by when they last spoke (ms), so the strip keeps recent voices first. */
  spoke: Record<number, number>;
}

export type CallAction =
  | { type: 'joined'; peer: number }
  | { type: 'participants'; participants: CallParticipant[] }
  | { type: 'speaking'; peer: number; at: number }
  | { type: 'pin'; peer: number | null }
  | { type: 'reset' };

export function emptyView(participants: CallParticipant[] = []): CallView {
  return { participants, me: null, speaker: null, pinned: null, spoke: {} };
}

export function reduceCall(v: CallView, a: CallAction): CallView {
  switch (a.type) {
    case 'joined':
      return { ...v, me: a.peer };
    case 'participants': {
      const present = new Set(a.participants.map((p) => p.peer_id));
      const spoke: Record<number, number> = {};
      for (const [k, at] of Object.entries(v.spoke)) if (present.has(Number(k))) spoke[Number(k)] = at;
      return {
        ...v,
        participants: a.participants,
        speaker: v.speaker !== null && present.has(v.speaker) ? v.speaker : null,
        pinned: v.pinned !== null && present.has(v.pinned) ? v.pinned : null,
        spoke,
      };
    }
    case 'speaking':
      if (!v.participants.some((p) => p.peer_id === a.peer)) return v;
      return { ...v, speaker: a.peer, spoke: { ...v.spoke, [a.peer]: a.at } };
    case 'pin':
      return { ...v, pinned: a.peer !== null && v.participants.some((p) => p.peer_id === a.peer) ? a.peer : null };
    case 'reset':
      return emptyView(v.participants);
  }
}

/** A tile: one device in the call. */
export interface Tile {
  peer: number;
  person: PersonRef;
  audio: boolean;
  video: boolean;
  mine: boolean;
  speaking: boolean;
}

function tileOf(v: CallView, p: CallParticipant): Tile {
  return { peer: p.peer_id, person: p.person, audio: p.audio, video: p.video, mine: p.peer_id === v.me, speaking: p.peer_id === v.speaker };
}

/** The grid: in order of joining (peer ids grow), this device last. */
export function gridTiles(v: CallView): Tile[] {
  const ps = [...v.participants].sort((a, b) => (a.peer_id === v.me ? 1 : b.peer_id === v.me ? -1 : a.peer_id - b.peer_id));
  return ps.map((p) => tileOf(v, p));
}

/**
 * The speaker view: the large tile (chosen by hand, else the loudest voice, else the
 * first other person with a camera on, else the first other person) and the strip
 * (recent voices first, this device last).
 */
export function speakerTiles(v: CallView): { main: Tile | null; strip: Tile[] } {
  const all = gridTiles(v);
  if (!all.length) return { main: null, strip: [] };
  const others = all.filter((x) => !x.mine);
  const main =
    all.find((x) => x.peer === v.pinned) ??
    all.find((x) => x.peer === v.speaker && !x.mine) ??
    others.find((x) => x.video) ??
    others[0] ??
    all[0]!;
  const rest = all.filter((x) => x !== main);
  const when = (x: Tile) => v.spoke[x.peer] ?? 0;
  rest.sort((a, b) => (a.mine !== b.mine ? (a.mine ? 1 : -1) : when(b) - when(a) || a.peer - b.peer));
  return { main, strip: rest };
}

/** Columns of the grid for `n` tiles: one on a narrow phone screen, else about square. */
export function gridColumns(n: number, narrow: boolean): number {
  if (n <= 1) return 1;
  if (narrow) return n <= 4 ? 1 : 2;
  return Math.min(4, Math.ceil(Math.sqrt(n)));
}

/** «ИП» from a person's given and family names (the tile when there is no video). */
export function initialsOf(p: Pick<PersonRef, 'family_name' | 'given_name'>): string {
  return `${p.given_name.charAt(0)}${p.family_name.charAt(0)}`.toUpperCase();
}

export { peopleCount } from './live';

// ---------- connection quality ----------

export type Quality = 'good' | 'fair' | 'poor' | 'unknown';

/** Totals read from one getStats() report. */
export interface StatsSample {
  /** Round trip of the selected candidate pair, seconds (null when unknown). */
  rtt: number | null;
  /** inbound-rtp, all streams together. */
  received: number;
  lost: number;
  /** What the far end reports of our sending (remote-inbound-rtp), worst of the streams, 0..1. */
  remoteLoss: number | null;
}

type Stat = Record<string, unknown> & { type: string; id: string };

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Reads a getStats() report (its values, as plain objects) into a sample. */
export function sampleOf(stats: Iterable<Stat>): StatsSample {
  const list = [...stats];
  const byId = new Map(list.map((s) => [s.id, s]));
  let pair: Stat | undefined;
  for (const s of list) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pair = byId.get(s.selectedCandidatePairId) ?? pair;
  }
  pair ??= list.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  let received = 0;
  let lost = 0;
  let remoteLoss: number | null = null;
  let remoteRtt: number | null = null;
  for (const s of list) {
    if (s.type === 'inbound-rtp') {
      received += num(s.packetsReceived) ?? 0;
      lost += Math.max(0, num(s.packetsLost) ?? 0);
    } else if (s.type === 'remote-inbound-rtp') {
      const f = num(s.fractionLost);
      if (f !== null) remoteLoss = Math.max(remoteLoss ?? 0, f);
      const r = num(s.roundTripTime);
      if (r !== null) remoteRtt = Math.max(remoteRtt ?? 0, r);
    }
  }
  return { rtt: num(pair?.currentRoundTripTime) ?? remoteRtt, received, lost, remoteLoss };
}

/**
 * The grade between two samples: loss over the interval (ours of what arrives, and the
 * far end's of what we send), and the round trip. Good under 150 ms and 2 % loss, fair
 * under 400 ms and 8 %, poor beyond; unknown before anything was measured.
 */
export function gradeQuality(prev: StatsSample | null, cur: StatsSample): { quality: Quality; rttMs: number | null; lossPct: number | null } {
  let loss: number | null = null;
  if (prev) {
    const got = cur.received - prev.received;
    const lost = cur.lost - prev.lost;
    if (got + lost > 0) loss = Math.max(0, lost) / (got + Math.max(0, lost));
  }
  if (cur.remoteLoss !== null) loss = Math.max(loss ?? 0, cur.remoteLoss);
  const rttMs = cur.rtt === null ? null : Math.round(cur.rtt * 1000);
  const lossPct = loss === null ? null : Math.round(loss * 1000) / 10;
  if (rttMs === null && lossPct === null) return { quality: 'unknown', rttMs, lossPct };
  const r = rttMs ?? 0;
  const l = lossPct ?? 0;
  const quality: Quality = r < 150 && l < 2 ? 'good' : r < 400 && l < 8 ? 'fair' : 'poor';
  return { quality, rttMs, lossPct };
}

// ---------- the microphone's level ----------

/** 0..1 from an analyser's time-domain bytes (128 is silence); loud speech nears 1. */
export function levelOf(samples: ArrayLike<number>): number {
  if (!samples.length) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const x = (samples[i]! - 128) / 128;
    sum += x * x;
  }
  const rms = Math.sqrt(sum / samples.length);
  return Math.min(1, rms * 4);
}

// ---------- words ----------

const REFUSALS = ['not_found', 'forbidden', 'call_ended', 'call_locked', 'removed', 'bad_offer', 'calls_off'] as const;
export type RefusalCode = (typeof REFUSALS)[number];

/** The dictionary key for a `call_refused` code (an unknown code reads as a failure). */
export function refusalKey(code: string): `calls.refused.${RefusalCode | 'other'}` {
  if (code === 'removed_from_call') return 'calls.refused.removed';
  return (REFUSALS as readonly string[]).includes(code) ? `calls.refused.${code as RefusalCode}` : 'calls.refused.other';
}

const LEFT = ['left', 'ended', 'removed', 'not_a_member', 'lost'] as const;
export type LeftReason = (typeof LEFT)[number];

export function leftKey(reason: string): `calls.left.${LeftReason}` {
  return (LEFT as readonly string[]).includes(reason) ? `calls.left.${reason as LeftReason}` : 'calls.left.lost';
}
