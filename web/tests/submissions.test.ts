import { describe, expect, it } from 'vitest';
import type { Submission } from '../src/api/types';
import { answerable, canHandIn, filesChanged, handInEmpty, handInRequest, statusKey, statusTone } from '../src/journal/submissions';

const work = (status: Submission['status']): Submission => ({
  id: 1,
  lesson_id: 2,
  student: { id: 3, family_name: 'Волкова', given_name: 'Анастасия' } as Submission['student'],
  status,
  body: 'x = 5',
  files: [],
  handed_in_at: '2026-11-02T10:00:00Z',
  late: status === 'late',
  grade: null,
});

describe('submissions', () => {
  it('hands in again until graded, and the teacher answers until then', () => {
    expect(canHandIn(null)).toBe(true);
    expect(canHandIn(work('returned'))).toBe(true);
    expect(canHandIn(work('late'))).toBe(true);
    expect(canHandIn(work('graded'))).toBe(false);
    expect(answerable(null)).toBe(false);
    expect(answerable(work('handed_in'))).toBe(true);
    expect(answerable(work('graded'))).toBe(false);
  });

  it('builds the request trimmed with the files in order, and knows an empty one', () => {
    expect(handInRequest('  ответ \n', [{ id: 7 }, { id: 3 }])).toEqual({ body: 'ответ', files: [7, 3] });
    expect(handInEmpty('  ', [])).toBe(true);
    expect(handInEmpty('', [{ id: 1 }])).toBe(false);
  });

  it('names statuses and compares file lists by id and order', () => {
    expect(statusKey('late')).toBe('submission.status.late');
    expect(statusTone('returned')).toBe('danger');
    expect(statusTone('not_handed_in')).toBe('neutral');
    expect(filesChanged([{ id: 1 }, { id: 2 }], [{ id: 1 }, { id: 2 }])).toBe(false);
    expect(filesChanged([{ id: 1 }, { id: 2 }], [{ id: 2 }, { id: 1 }])).toBe(true);
    expect(filesChanged([{ id: 1 }], [])).toBe(true);
  });
});
