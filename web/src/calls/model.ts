// The pure rules of a call on screen: who is in it (from `call_participants`), who
// speaks (`call_speaking`), which tiles show and in what order (grid or speaker view),
// how many columns the grid takes, which layer of each sender's video the tiles need
// (`call_view`), how good the connection is (from getStats() samples), the
// microphone's level, and the words for every refusal and every way of leaving. No
// browser objects here: the call page (../pages/call) feeds these.
import type { Absence, AttendanceChange, Call, CallParticipant, CallTileView, LessonPage, OnlineStudent, PersonRef } from '../api/types';

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
  /** Who waits to be admitted (told to those who lead the call). */
  waiting: PersonRef[];
  /** A broadcast's viewers (not listed in `participants`). */
  viewers: number;
  /** Who leads the call now (null until the server says). */
  hostId: number | null;
  locked: boolean;
}

export type CallAction =
  | { type: 'joined'; peer: number }
  | { type: 'participants'; participants: CallParticipant[]; viewers?: number; hostId?: number; locked?: boolean }
  | { type: 'waiting_room'; waiting: PersonRef[] }
  | { type: 'speaking'; peer: number; at: number }
  | { type: 'pin'; peer: number | null }
  | { type: 'reset' };

export function emptyView(participants: CallParticipant[] = []): CallView {
  return { participants, me: null, speaker: null, pinned: null, spoke: {}, waiting: [], viewers: 0, hostId: null, locked: false };
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
        viewers: a.viewers ?? v.viewers,
        hostId: a.hostId ?? v.hostId,
        locked: a.locked ?? v.locked,
      };
    }
    case 'waiting_room':
      return { ...v, waiting: a.waiting };
    case 'speaking':
      if (!v.participants.some((p) => p.peer_id === a.peer)) return v;
      return { ...v, speaker: a.peer, spoke: { ...v.spoke, [a.peer]: a.at } };
    case 'pin':
      return { ...v, pinned: a.peer !== null && v.participants.some((p) => p.peer_id === a.peer) ? a.peer : null };
    case 'reset':
      return { ...emptyView(v.participants), viewers: v.viewers, hostId: v.hostId, locked: v.locked };
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
  hand: boolean;
}

function tileOf(v: CallView, p: CallParticipant): Tile {
  return { peer: p.peer_id, person: p.person, audio: p.audio, video: p.video, mine: p.peer_id === v.me, speaking: p.peer_id === v.speaker, hand: p.hand_raised };
}

/** The grid: in order of joining (peer ids grow), this device last. A broadcast's
 *  viewer with a raised hand is listed (for the host) but has no tile. */
export function gridTiles(v: CallView): Tile[] {
  const ps = v.participants.filter((p) => p.on_stage || p.peer_id === v.me).sort((a, b) => (a.peer_id === v.me ? 1 : b.peer_id === v.me ? -1 : a.peer_id - b.peer_id));
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

// ---------- which layer of each sender's video the page needs ----------

export type Layout = 'grid' | 'speaker';

/** Grid tiles shown large at most: more and each is small enough for the low layer. */
const LARGE_GRID = { desktop: 4, phone: 2 } as const;

/**
 * How the page shows each other device's video, for `call_view`: the speaker view's
 * main tile large and its strip small; a grid of few tiles (4 on a desktop, 2 on a
 * phone) large, of more small; a device with no tile on the page (off stage, or not
 * among `shown`, the peers whose tiles are rendered; null: every tile of the layout)
 * hidden. A device with its camera off is left out: it sends no video to choose from.
 */
export function wantedViews(v: CallView, layout: Layout, narrow: boolean, shown: ReadonlySet<number> | null = null): Record<number, CallTileView> {
  const sizes = new Map<number, CallTileView>();
  if (layout === 'speaker') {
    const { main, strip } = speakerTiles(v);
    if (main) sizes.set(main.peer, 'large');
    for (const x of strip) sizes.set(x.peer, 'small');
  } else {
    const tiles = gridTiles(v);
    const size = tiles.length <= (narrow ? LARGE_GRID.phone : LARGE_GRID.desktop) ? 'large' : 'small';
    for (const x of tiles) sizes.set(x.peer, size);
  }
  const out: Record<number, CallTileView> = {};
  for (const p of v.participants) {
    if (p.peer_id === v.me || !p.video) continue;
    const size = sizes.get(p.peer_id);
    out[p.peer_id] = size && (!shown || shown.has(p.peer_id)) ? size : 'hidden';
  }
  return out;
}

/** The `call_view` choices to send: those that differ from what was last sent. */
export function viewChanges(sent: Readonly<Record<number, CallTileView>>, wanted: Readonly<Record<number, CallTileView>>): [number, CallTileView][] {
  return Object.entries(wanted)
    .filter(([peer, view]) => sent[Number(peer)] !== view)
    .map(([peer, view]) => [Number(peer), view]);
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

const REFUSALS = ['not_found', 'forbidden', 'call_ended', 'call_locked', 'removed', 'bad_offer', 'calls_off', 'call_running'] as const;
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

// ---------- who leads, who waits, who is on stage ----------

/** People with a raised hand, one entry per person, in order of peers. */
export function raisedHands(v: Pick<CallView, 'participants'>): PersonRef[] {
  return [...new Map(v.participants.filter((p) => p.hand_raised).map((p) => [p.person.id, p.person])).values()];
}

/** A broadcast's viewer: in it, not on stage (this device's own flag, from `call_stage`). */
export function isViewer(call: Pick<Call, 'kind'>, isLeader: boolean, onStage: boolean): boolean {
  return call.kind === 'broadcast' && !isLeader && !onStage;
}

// ---------- an online lesson: its time, and the attendance its presence suggests ----------

export interface Countdown {
  /** Milliseconds left to the grade's limit (negative past it). */
  leftMs: number;
  over: boolean;
  /** «12:05» left, or «+3:10» past the limit. */
  text: string;
}

/** Minutes and seconds: «12:05»; an hour or more: «1:02:05». */
export function clockOf(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const two = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

/** The time left of an online lesson (`started_at` + `limit_minutes`), or null when either is unknown. */
export function lessonCountdown(startedAt: string | null | undefined, limitMinutes: number | null | undefined, now: number): Countdown | null {
  if (!startedAt || !limitMinutes) return null;
  const start = Date.parse(startedAt);
  if (!Number.isFinite(start)) return null;
  const leftMs = start + limitMinutes * 60_000 - now;
  const over = leftMs <= 0;
  return { leftMs, over, text: over ? `+${clockOf(-leftMs)}` : clockOf(leftMs) };
}

/** Where a student is in an online lesson: in it now, was in it for N minutes, or never came. */
export type Presence = { kind: 'in_call'; minutes: number } | { kind: 'was'; minutes: number } | { kind: 'never' };

export function presenceOf(s: Pick<OnlineStudent, 'in_call' | 'joined_at' | 'minutes_present'>): Presence {
  if (s.in_call) return { kind: 'in_call', minutes: s.minutes_present };
  if (s.joined_at) return { kind: 'was', minutes: s.minutes_present };
  return { kind: 'never' };
}

/** What the journal should say: present (null), absent, or late by N minutes. A
 *  student in the lesson's call right now is not absent, whatever the lesson's clock
 *  says (a lesson held before or after its time in the timetable). */
export function suggestionOf(s: Pick<OnlineStudent, 'in_call' | 'suggested_absence' | 'suggested_minutes_late'>): { absence: Absence | null; minutesLate: number | null } {
  if (s.suggested_absence === 'absent' && s.in_call) return { absence: null, minutesLate: null };
  const absence = s.suggested_absence ?? null;
  return { absence, minutesLate: absence === 'late' ? (s.suggested_minutes_late ?? null) : null };
}

/** The suggestion as the journal writes it: «н», «оп 7 мин», or null for present. */
export function suggestionLabel(s: Pick<OnlineStudent, 'in_call' | 'suggested_absence' | 'suggested_minutes_late'>): string | null {
  const { absence, minutesLate } = suggestionOf(s);
  if (absence === 'absent') return 'н';
  if (absence === 'late') return minutesLate ? `оп ${minutesLate} мин` : 'оп';
  return null;
}

/** The attendance changes that put the suggestions into the journal: only where the
 *  journal says otherwise, and never over a reason the teacher wrote down (ill, excused). */
export function suggestionEntries(students: OnlineStudent[], page: Pick<LessonPage, 'students'>): AttendanceChange[] {
  const journal = new Map(page.students.map((s) => [s.person.id, s.attendance ?? null]));
  const out: AttendanceChange[] = [];
  for (const s of students) {
    if (!journal.has(s.student.id)) continue;
    const now = journal.get(s.student.id) ?? null;
    const { absence, minutesLate } = suggestionOf(s);
    if (now && (now.absence === 'ill' || now.absence === 'excused')) continue;
    if (absence === null) {
      if (now) out.push({ student_id: s.student.id, absence: null });
      continue;
    }
    if (now?.absence === absence && (absence !== 'late' || (now.minutes_late ?? null) === minutesLate)) continue;
    out.push({ student_id: s.student.id, absence, minutes_late: absence === 'late' ? minutesLate : null, reason: null });
  }
  return out;
}

/** The chat toggle's badge while the panel is closed: the chat's unread messages, «99+»
 *  past 99; null while open or with nothing unread. */
export function chatBadge(unread: number, open: boolean): string | null {
  if (open || !(unread > 0)) return null;
  return unread > 99 ? '99+' : String(unread);
}
