// Students' work for homework, without IO: where it stands in words, whether the
// student may hand in (again), the request built from what was typed and attached, and
// the files a form starts with and whether they changed.
import type { FileInfo, HandInRequest, Submission, SubmissionStatus } from '../api/types';

export const SUBMISSION_MAX_CHARS = 10_000;
export const RETURN_COMMENT_MAX_CHARS = 1000;
/** Files one homework or one submission holds at most (as the server counts). */
export const JOURNAL_FILES_MAX = 10;
/** The marks a teacher grades work with, as keys. */
export const MARK_KEYS = ['5', '4', '3', '2', '1', 'зч', 'нз'] as const;
/** The kind of work a graded submission's mark is by default (as the server names it). */
export const HOMEWORK_KIND = 'Домашняя работа';

/** The i18n key of a status, for the student, their parent and the teacher alike. */
export function statusKey(status: SubmissionStatus): `submission.status.${SubmissionStatus}` {
  return `submission.status.${status}`;
}

/** The badge colour of a status. */
export function statusTone(status: SubmissionStatus): 'ok' | 'warn' | 'danger' | 'neutral' {
  switch (status) {
    case 'graded':
    case 'handed_in':
      return 'ok';
    case 'late':
      return 'warn';
    case 'returned':
      return 'danger';
    default:
      return 'neutral';
  }
}

/** Whether the student may hand in (again): nothing yet, or not graded. */
export function canHandIn(s: Submission | null | undefined): boolean {
  return !s || s.status !== 'graded';
}

/** Whether the teacher may still answer the work (return or grade it). */
export function answerable(s: Submission | null | undefined): s is Submission {
  return !!s && s.status !== 'graded';
}

/** The hand-in request: the text trimmed (as the server keeps it), the files in order. */
export function handInRequest(body: string, files: Pick<FileInfo, 'id'>[]): HandInRequest {
  return { body: body.trim(), files: files.map((f) => f.id) };
}

/** Whether anything is there to hand in. */
export function handInEmpty(body: string, files: unknown[]): boolean {
  return body.trim() === '' && files.length === 0;
}

/** Whether two lists of files differ (by id, in order). */
export function filesChanged(a: Pick<FileInfo, 'id'>[], b: Pick<FileInfo, 'id'>[]): boolean {
  return a.length !== b.length || a.some((f, i) => f.id !== b[i]!.id);
}
