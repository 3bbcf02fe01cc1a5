import { describe, expect, it } from 'vitest';
import type { CallParticipant } from '../src/api/types';
import { peopleCount } from '../src/calls/live';
import { chatBadge, emptyView, gradeQuality, gridColumns, gridTiles, initialsOf, leftKey, levelOf, reduceCall, refusalKey, sampleOf, speakerTiles, viewChanges, wantedViews, type CallView } from '../src/calls/model';
import { ru } from '../src/i18n/ru';
import { ICE_FRESH_MS, iceStale, rtcConfiguration } from '../src/pages/call/ice';

const person = (id: number, given: string, family: string) => ({ id, given_name: given, family_name: family, patronymic: null });
const part = (peer: number, userId: number, o: Partial<CallParticipant> = {}): CallParticipant => ({
  peer_id: peer,
  person: person(userId, `Имя${userId}`, `Фамилия${userId}`),
  audio: true,
  video: true,
  hand_raised: false,
  on_stage: true,
  ...o,
});

function joined(me: number, ps: CallParticipant[]): CallView {
  return reduceCall(reduceCall(emptyView(), { type: 'joined', peer: me }), { type: 'participants', participants: ps });
}

describe('the call state', () => {
  it('takes the participants as the server lists them, this device last in the grid', () => {
    const v = joined(2, [part(3, 30), part(2, 20), part(1, 10)]);
    expect(gridTiles(v).map((x) => [x.peer, x.mine])).toEqual([
      [1, false],
      [3, false],
      [2, true],
    ]);
  });

  it('marks the loudest voice, and forgets it when that device leaves', () => {
    let v = joined(1, [part(1, 10), part(2, 20), part(3, 30)]);
    v = reduceCall(v, { type: 'speaking', peer: 3, at: 100 });
    expect(v.speaker).toBe(3);
    expect(gridTiles(v).find((x) => x.peer === 3)!.speaking).toBe(true);
    v = reduceCall(v, { type: 'participants', participants: [part(1, 10), part(2, 20)] });
    expect(v.speaker).toBeNull();
    expect(v.spoke).toEqual({});
  });

  it('ignores a speaker who is not in the call', () => {
    const v = joined(1, [part(1, 10), part(2, 20)]);
    expect(reduceCall(v, { type: 'speaking', peer: 9, at: 1 })).toBe(v);
  });

  it('shows the speaker large, recent voices first in the strip, this device last', () => {
    let v = joined(1, [part(1, 10), part(2, 20), part(3, 30), part(4, 40)]);
    v = reduceCall(v, { type: 'speaking', peer: 2, at: 100 });
    v = reduceCall(v, { type: 'speaking', peer: 4, at: 200 });
    const { main, strip } = speakerTiles(v);
    expect(main!.peer).toBe(4);
    expect(strip.map((x) => x.peer)).toEqual([2, 3, 1]);
  });

  it('never puts this device large while someone else is there; a pinned tile wins', () => {
    let v = joined(1, [part(1, 10), part(2, 20, { video: false }), part(3, 30)]);
    v = reduceCall(v, { type: 'speaking', peer: 1, at: 5 });
    expect(speakerTiles(v).main!.peer).toBe(3); // the first other with a camera on
    v = reduceCall(v, { type: 'pin', peer: 2 });
    expect(speakerTiles(v).main!.peer).toBe(2);
    v = reduceCall(v, { type: 'participants', participants: [part(1, 10), part(3, 30)] });
    expect(v.pinned).toBeNull();
    expect(speakerTiles(joined(1, [part(1, 10)])).main!.mine).toBe(true);
    expect(speakerTiles(emptyView()).main).toBeNull();
  });

  it('a rejoin forgets this device’s place but keeps who is there', () => {
    const v = reduceCall(joined(1, [part(1, 10), part(2, 20)]), { type: 'reset' });
    expect(v.me).toBeNull();
    expect(v.participants).toHaveLength(2);
  });

  it('counts people, not devices', () => {
    expect(peopleCount([part(1, 10), part(2, 10), part(3, 30)])).toBe(2);
  });

  it('lays the grid out in one column on a phone and about square elsewhere', () => {
    expect(gridColumns(1, false)).toBe(1);
    expect(gridColumns(2, false)).toBe(2);
    expect(gridColumns(5, false)).toBe(3);
    expect(gridColumns(20, false)).toBe(4);
    expect(gridColumns(3, true)).toBe(1);
    expect(gridColumns(6, true)).toBe(2);
  });

  it('draws initials from the given and the family name', () => {
    expect(initialsOf(person(1, 'мария', 'Иванова'))).toBe('МИ');
  });
});

describe('the layer each tile needs', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => part(i + 1, (i + 1) * 10));

  it('asks for the speaker view’s main tile large and the strip small, never for this device', () => {
    let v = joined(1, many(4));
    v = reduceCall(v, { type: 'pin', peer: 3 });
    expect(wantedViews(v, 'speaker', false)).toEqual({ 2: 'small', 3: 'large', 4: 'small' });
    v = reduceCall(v, { type: 'pin', peer: null });
    v = reduceCall(v, { type: 'speaking', peer: 4, at: 10 });
    expect(wantedViews(v, 'speaker', false)).toEqual({ 2: 'small', 3: 'small', 4: 'large' });
  });

  it('asks for a grid of up to four tiles large on a desktop and up to two on a phone, else small', () => {
    expect(wantedViews(joined(1, many(4)), 'grid', false)).toEqual({ 2: 'large', 3: 'large', 4: 'large' });
    expect(wantedViews(joined(1, many(5)), 'grid', false)).toEqual({ 2: 'small', 3: 'small', 4: 'small', 5: 'small' });
    expect(wantedViews(joined(1, many(2)), 'grid', true)).toEqual({ 2: 'large' });
    expect(wantedViews(joined(1, many(3)), 'grid', true)).toEqual({ 2: 'small', 3: 'small' });
  });

  it('leaves out a device with its camera off, and hides one with no tile on the page', () => {
    const v = joined(1, [part(1, 10), part(2, 20, { video: false }), part(3, 30), part(4, 40, { on_stage: false }), part(5, 50)]);
    // Four tiles (the one off stage has none): large on a desktop.
    expect(wantedViews(v, 'grid', false)).toEqual({ 3: 'large', 4: 'hidden', 5: 'large' });
    expect(wantedViews(v, 'grid', false, new Set([1, 3]))).toEqual({ 3: 'large', 4: 'hidden', 5: 'hidden' });
    expect(wantedViews(v, 'speaker', false, new Set([5]))).toEqual({ 3: 'hidden', 4: 'hidden', 5: 'small' });
  });

  it('asks for nothing before this device is in the call’s list', () => {
    expect(wantedViews(emptyView(), 'grid', false)).toEqual({});
  });

  it('sends only the choices that changed since the last ones sent', () => {
    expect(viewChanges({}, { 2: 'large', 3: 'small' })).toEqual([
      [2, 'large'],
      [3, 'small'],
    ]);
    expect(viewChanges({ 2: 'large', 3: 'small', 9: 'hidden' }, { 2: 'large', 3: 'large' })).toEqual([[3, 'large']]);
    expect(viewChanges({ 2: 'small' }, { 2: 'small' })).toEqual([]);
  });
});

describe('the connection quality', () => {
  const stats = (o: { rtt?: number; received: number; lost: number; remoteLoss?: number }) => [
    { type: 'transport', id: 'T', selectedCandidatePairId: 'CP' },
    { type: 'candidate-pair', id: 'CP', nominated: true, state: 'succeeded', ...(o.rtt === undefined ? {} : { currentRoundTripTime: o.rtt }) },
    { type: 'candidate-pair', id: 'CP2', nominated: false, state: 'failed', currentRoundTripTime: 9 },
    { type: 'inbound-rtp', id: 'A', kind: 'audio', packetsReceived: Math.floor(o.received / 2), packetsLost: Math.floor(o.lost / 2) },
    { type: 'inbound-rtp', id: 'V', kind: 'video', packetsReceived: Math.ceil(o.received / 2), packetsLost: Math.ceil(o.lost / 2) },
    ...(o.remoteLoss === undefined ? [] : [{ type: 'remote-inbound-rtp', id: 'R', fractionLost: o.remoteLoss, roundTripTime: 0.5 }]),
  ];

  it('reads the selected pair’s round trip and the inbound totals', () => {
    expect(sampleOf(stats({ rtt: 0.042, received: 100, lost: 4 }))).toEqual({ rtt: 0.042, received: 100, lost: 4, remoteLoss: null });
  });

  it('falls back to the nominated pair, then to the far end’s round trip', () => {
    const s = stats({ rtt: 0.08, received: 1, lost: 0 }).filter((x) => x.type !== 'transport');
    expect(sampleOf(s).rtt).toBe(0.08);
    expect(sampleOf(stats({ received: 1, lost: 0, remoteLoss: 0 })).rtt).toBe(0.5);
  });

  it('grades by the loss over the interval and the round trip', () => {
    const a = sampleOf(stats({ rtt: 0.03, received: 1000, lost: 0 }));
    expect(gradeQuality(null, a)).toEqual({ quality: 'good', rttMs: 30, lossPct: null });
    expect(gradeQuality(a, sampleOf(stats({ rtt: 0.03, received: 1990, lost: 10 })))).toEqual({ quality: 'good', rttMs: 30, lossPct: 1 });
    expect(gradeQuality(a, sampleOf(stats({ rtt: 0.03, received: 1950, lost: 50 }))).quality).toBe('fair');
    expect(gradeQuality(a, sampleOf(stats({ rtt: 0.25, received: 2000, lost: 0 }))).quality).toBe('fair');
    expect(gradeQuality(a, sampleOf(stats({ rtt: 0.03, received: 1800, lost: 200 }))).quality).toBe('poor');
    expect(gradeQuality(a, sampleOf(stats({ rtt: 0.6, received: 2000, lost: 0 }))).quality).toBe('poor');
  });

  it('counts what the far end lost of ours', () => {
    expect(gradeQuality(null, sampleOf(stats({ rtt: 0.02, received: 10, lost: 0, remoteLoss: 0.1 }))).quality).toBe('poor');
  });

  it('is unknown before anything is measured', () => {
    expect(gradeQuality(null, { rtt: null, received: 0, lost: 0, remoteLoss: null }).quality).toBe('unknown');
  });
});

describe('the microphone level', () => {
  it('is zero in silence and grows with loudness, never past one', () => {
    expect(levelOf(new Uint8Array(64).fill(128))).toBe(0);
    const quiet = Uint8Array.from({ length: 64 }, (_, i) => (i % 2 ? 132 : 124));
    const loud = Uint8Array.from({ length: 64 }, (_, i) => (i % 2 ? 250 : 6));
    expect(levelOf(quiet)).toBeGreaterThan(0);
    expect(levelOf(loud)).toBe(1);
    expect(levelOf([])).toBe(0);
  });
});

describe('the words of a call', () => {
  it('has a message for every refusal and every way out, and a fallback', () => {
    for (const code of ['not_found', 'forbidden', 'call_ended', 'call_locked', 'removed', 'bad_offer', 'calls_off', 'something_new']) {
      expect(ru[refusalKey(code)]).toBeTruthy();
    }
    expect(refusalKey('something_new')).toBe('calls.refused.other');
    for (const r of ['left', 'ended', 'removed', 'not_a_member', 'lost', 'other']) expect(ru[leftKey(r)]).toBeTruthy();
    expect(ru[leftKey('removed')]).toContain('удалил');
  });
});

describe('how a connection reaches the media unit', () => {
  const relay = { urls: ['turn:turn.school.test:3478?transport=udp', 'turn:turn.school.test:3478?transport=tcp'], username: '1767225600:42', credential: 'c2VjcmV0' };

  it('goes directly, in one bundled transport, when the server names no relay', () => {
    for (const ice of [null, { ice_servers: [], ice_transport_policy: 'all' as const }]) {
      expect(rtcConfiguration(ice)).toEqual({ bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require', iceServers: [], iceTransportPolicy: 'all' });
    }
  });

  it('gives the relay with the person’s credential, and sends everything through it when told', () => {
    const fallback = rtcConfiguration({ ice_servers: [relay], ice_transport_policy: 'all' });
    expect(fallback.iceServers).toEqual([relay]);
    expect(fallback.iceTransportPolicy).toBe('all');
    expect(rtcConfiguration({ ice_servers: [relay], ice_transport_policy: 'relay' }).iceTransportPolicy).toBe('relay');
  });

  it('leaves out a username or credential the server did not give', () => {
    const bare = rtcConfiguration({ ice_servers: [{ urls: ['stun:stun.school.test'], username: null, credential: null }], ice_transport_policy: 'all' });
    expect(bare.iceServers).toEqual([{ urls: ['stun:stun.school.test'] }]);
  });

  it('reads the credential again when it was read long ago, or never', () => {
    const at = 1_000_000;
    expect(iceStale(at, at + 5 * 60_000)).toBe(false);
    expect(iceStale(at, at + ICE_FRESH_MS + 1)).toBe(true);
    expect(iceStale(null, at)).toBe(true);
  });
});

describe('the chat beside the call', () => {
  it('counts the chat’s unread messages on its toggle only while the panel is closed', () => {
    expect(chatBadge(0, false)).toBeNull();
    expect(chatBadge(1, false)).toBe('1');
    expect(chatBadge(3, true)).toBeNull();
    expect(chatBadge(99, false)).toBe('99');
    expect(chatBadge(100, false)).toBe('99+');
    expect(chatBadge(-1, false)).toBeNull();
  });
});
