import { describe, expect, it } from 'vitest';
import { OVERRIDE_FIELDS, draftsOf, inCell, overrideRequest, placeErrors, timetableRequest, type OverrideDraft } from '../src/school-year/timetable';

const entry = (weekday: number, number: number, assignment: number, room: string | null) => ({
  weekday,
  shift: 1,
  number,
  starts_at: '08:30',
  ends_at: '09:10',
  assignment_id: assignment,
  subject: { id: 1, name: 'Математика', short_name: 'Мат.' },
  teacher: { id: 5, family_name: 'Смирнов', given_name: 'Иван' },
  group: null,
  room,
});

describe('the timetable grid', () => {
  it('sends the chosen lessons and maps refusals back to them', () => {
    const drafts = draftsOf([entry(1, 1, 10, '214'), entry(1, 2, 11, null)]);
    drafts.push({ key: 999, weekday: 2, shift: 1, number: 1, assignment: '', room: '' });
    drafts.push({ key: 1000, weekday: 2, shift: 1, number: 2, assignment: '10', room: ' 301 ' });
    expect(inCell(drafts, 1, 1, 2).map((d) => d.assignment)).toEqual(['11']);
    const { request, order } = timetableRequest(drafts);
    expect(request.entries.map((e) => [e.weekday, e.number, e.assignment_id, e.room])).toEqual([
      [1, 1, 10, '214'],
      [1, 2, 11, null],
      [2, 2, 10, '301'],
    ]);
    expect(order).toEqual([drafts[0]!.key, drafts[1]!.key, 1000]);
    const placed = placeErrors({ 'entries[2]': 'Учитель занят', 'entries[2].room': 'Слишком длинно', entries: 'Много' }, order);
    expect(placed.byKey[1000]).toEqual(['Учитель занят', 'Слишком длинно']);
    expect(placed.rest).toEqual(['Много']);
  });
});

describe('an override of a lesson', () => {
  const blank: OverrideDraft = { kind: 'substitute', lesson: '', assignment: '', teacher: '', room: '', reason: '', to_date: '', to_slot: '' };
  it('becomes the request of its kind', () => {
    expect(overrideRequest('2026-11-02', blank)).toBeNull();
    expect(overrideRequest('2026-11-02', { ...blank, lesson: '10|1|1', teacher: '7' })).toEqual({
      kind: 'substitute',
      assignment_id: 10,
      date: '2026-11-02',
      shift: 1,
      number: 1,
      teacher_id: 7,
      room: null,
    });
    expect(overrideRequest('2026-11-02', { ...blank, kind: 'cancel', lesson: '10|1|0', reason: ' Экскурсия ' })).toMatchObject({ number: 0, reason: 'Экскурсия' });
    expect(overrideRequest('2026-11-02', { ...blank, kind: 'move', lesson: '10|1|1', to_date: '2026-11-03', to_slot: '1|3' })).toMatchObject({
      to_date: '2026-11-03',
      to_shift: 1,
      to_number: 3,
    });
    expect(overrideRequest('2026-11-02', { ...blank, kind: 'extra', assignment: '10', lesson: '1|4', room: '214' })).toMatchObject({
      kind: 'extra',
      shift: 1,
      number: 4,
      room: '214',
      teacher_id: null,
    });
  });
  it('shows refusals at the field the person chose', () => {
    expect(OVERRIDE_FIELDS['teacher_id']).toBe('teacher');
    expect(OVERRIDE_FIELDS['to_number']).toBe('to_slot');
    expect(OVERRIDE_FIELDS['number']).toBe('lesson');
  });
});
