import { describe, expect, it } from 'vitest';
import type { CallParticipant, LessonPage, OnlineStudent } from '../src/api/types';
import { clockOf, emptyView, gridTiles, isViewer, lessonCountdown, presenceOf, raisedHands, reduceCall, suggestionEntries, suggestionLabel, type CallView } from '../src/calls/model';

const person = (id: number) => ({ id, given_name: `Имя${id}`, family_name: `Фамилия${id}`, patronymic: null });
const part = (peer: number, userId: number, o: Partial<CallParticipant> = {}): CallParticipant => ({
  peer_id: peer,
  person: person(userId),
  audio: true,
  video: true,
  hand_raised: false,
  on_stage: true,
  ...o,
});
const student = (id: number, o: Partial<OnlineStudent> = {}): OnlineStudent => ({
  student: person(id),
  in_call: false,
  joined_at: null,
  minutes_present: 0,
  suggested_absence: null,
  suggested_minutes_late: null,
  ...o,
});
const page = (rows: [number, LessonPage['students'][number]['attendance']][]): Pick<LessonPage, 'students'> => ({
  students: rows.map(([id, attendance]) => ({ person: person(id), attendance, grades: [] })),
});

describe('an online lesson’s countdown', () => {
  const start = '2026-12-07T06:00:00Z';
  const at = (min: number, sec = 0) => Date.parse(start) + min * 60_000 + sec * 1000;
  it('counts down to the grade’s limit from when the call began', () => {
    expect(lessonCountdown(start, 30, at(17, 55))).toEqual({ leftMs: 12 * 60_000 + 5000, over: false, text: '12:05' });
  });
  it('is over at the limit and counts on past it', () => {
    expect(lessonCountdown(start, 30, at(30))!.over).toBe(true);
    expect(lessonCountdown(start, 30, at(33, 10))!.text).toBe('+3:10');
  });
  it('is nothing without a start or a limit', () => {
    expect(lessonCountdown(null, 30, 0)).toBeNull();
    expect(lessonCountdown(start, null, 0)).toBeNull();
  });
  it('writes hours when there are any', () => {
    expect(clockOf(3_725_000)).toBe('1:02:05');
  });
});

describe('presence and the suggested marks', () => {
  it('says where a student is: in the call, was in it, never came', () => {
    expect(presenceOf(student(1, { in_call: true, joined_at: 'x', minutes_present: 12 }))).toEqual({ kind: 'in_call', minutes: 12 });
    expect(presenceOf(student(1, { joined_at: 'x', minutes_present: 7 }))).toEqual({ kind: 'was', minutes: 7 });
    expect(presenceOf(student(1))).toEqual({ kind: 'never' });
  });
  it('labels the suggestions as the journal writes them', () => {
    expect(suggestionLabel(student(1, { suggested_absence: 'absent' }))).toBe('н');
    expect(suggestionLabel(student(1, { suggested_absence: 'late', suggested_minutes_late: 7 }))).toBe('оп 7 мин');
    expect(suggestionLabel(student(1))).toBeNull();
  });
  it('does not call absent someone who is in the call right now', () => {
    expect(suggestionLabel(student(1, { in_call: true, suggested_absence: 'absent' }))).toBeNull();
  });
  it('changes only what the journal says otherwise, and keeps a reason written down', () => {
    const students = [
      student(1, { suggested_absence: 'absent' }), // marked н
      student(2, { in_call: true, joined_at: 'x', minutes_present: 3, suggested_absence: 'absent' }), // here now: present
      student(3, { suggested_absence: 'absent' }), // ill in the journal: kept
      student(4, { suggested_absence: 'late', suggested_minutes_late: 9 }), // late already the same: nothing
      student(5, { suggested_absence: 'late', suggested_minutes_late: 12 }), // late, other minutes
      student(6, { joined_at: 'x', minutes_present: 40 }), // present, н in the journal: cleared
      student(7, { suggested_absence: 'absent' }), // not on the lesson's list: skipped
    ];
    const journal = page([
      [1, null],
      [2, { absence: 'absent' }],
      [3, { absence: 'ill' }],
      [4, { absence: 'late', minutes_late: 9 }],
      [5, { absence: 'late', minutes_late: 5 }],
      [6, { absence: 'absent' }],
    ]);
    expect(suggestionEntries(students, journal)).toEqual([
      { student_id: 1, absence: 'absent', minutes_late: null, reason: null },
      { student_id: 2, absence: null },
      { student_id: 5, absence: 'late', minutes_late: 12, reason: null },
      { student_id: 6, absence: null },
    ]);
  });
});

describe('waiting, leading and the stage in the call state', () => {
  const joined = (me: number, ps: CallParticipant[]): CallView =>
    reduceCall(reduceCall(emptyView(), { type: 'joined', peer: me }), { type: 'participants', participants: ps, viewers: 0, hostId: 10, locked: false });
  it('keeps who waits, as the leaders are told', () => {
    let v = joined(1, [part(1, 10)]);
    v = reduceCall(v, { type: 'waiting_room', waiting: [person(20), person(30)] });
    expect(v.waiting.map((p) => p.id)).toEqual([20, 30]);
    v = reduceCall(v, { type: 'waiting_room', waiting: [] });
    expect(v.waiting).toEqual([]);
  });
  it('follows the viewers’ count, the lead and the lock; a reconnection keeps them', () => {
    let v = joined(1, [part(1, 10)]);
    v = reduceCall(v, { type: 'participants', participants: [part(1, 10)], viewers: 5, hostId: 20, locked: true });
    expect([v.viewers, v.hostId, v.locked]).toEqual([5, 20, true]);
    v = reduceCall(v, { type: 'reset' });
    expect([v.viewers, v.hostId, v.locked, v.me]).toEqual([5, 20, true, null]);
  });
  it('gives no tile to a viewer with a raised hand, but lists the hand', () => {
    const v = joined(1, [part(1, 10), part(2, 20, { on_stage: false, hand_raised: true, audio: false, video: false })]);
    expect(gridTiles(v).map((x) => x.peer)).toEqual([1]);
    expect(raisedHands(v).map((p) => p.id)).toEqual([20]);
  });
  it('shows a raised hand on a tile on stage', () => {
    const v = joined(1, [part(1, 10), part(2, 20, { hand_raised: true })]);
    expect(gridTiles(v).find((x) => x.peer === 2)!.hand).toBe(true);
  });
  it('takes a broadcast’s reader for a viewer until on stage, never its host', () => {
    expect(isViewer({ kind: 'broadcast' }, false, false)).toBe(true);
    expect(isViewer({ kind: 'broadcast' }, false, true)).toBe(false);
    expect(isViewer({ kind: 'broadcast' }, true, false)).toBe(false);
    expect(isViewer({ kind: 'meeting' }, false, false)).toBe(false);
  });
});
