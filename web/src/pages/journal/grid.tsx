// The class journal: one assignment (a subject in a class or group) in one period —
// students down, lessons across, attendance and marks in the cells, the weighted
// average, the period mark and the year mark with what the school's rounding suggests.
// The teacher types in the cells (arrows move, Enter and Tab move on, Delete clears);
// what is typed is saved per lesson through the lesson's own requests, opening a
// timetable lesson not yet written down. A refusal stays at its cell with the words
// typed. Loaded on demand (app.tsx), a chunk of its own.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AcademicYear, Assignment, GradeType, GridCell, GridIndividual, JournalGrid, LessonPage, MySchool, WeekDay } from '../../api/types';
import { ApiError } from '../../api/client';
import { ErrorBox, errorText, InlineError, Loading, PageTitle, useId, useLoad } from '../../components/ui';
import { fullName, todayIn } from '../../format';
import { t, type Key } from './journal.strings';
import {
  cellText,
  cellValue,
  columnRequests,
  columns as buildColumns,
  currentPeriod,
  errorsByStudent,
  LETTERS,
  move,
  parseCell,
  sameValue,
  shortDate,
  type CellValue,
  type Column,
  type Pos,
  type TypedCell,
} from '../../journal/grid';
import { activeTypes, addDays, mondayOf, yearFor } from '../../journal/model';
import { navigate } from '../../router';
import { api, canManage, me } from '../../state';
import { className } from '../entry';
import { IndividualSection } from './individual';
import { t as indT } from './individual.strings';
import './grid.css';

const FINAL_MARKS = ['5', '4', '3', '2', 'зч', 'нз'];

interface Draft {
  text: string;
  value: CellValue | null;
  error: string | null;
  saving: boolean;
}

function assignmentLabel(a: Assignment): string {
  const where = a.group ? `${className(a.class.name, a.class.kind)}, ${a.group.name}` : className(a.class.name, a.class.kind);
  return `${where} — ${a.subject.name}`;
}

/** The assignments whose journal the person may open: their own; their classes' as class teacher; all for the administration. */
function readable(school: MySchool, all: Assignment[], myId: number): Assignment[] {
  if (school.is_admin || school.manages_school_year) return all;
  const classes = new Set(school.class_teacher_of.map((c) => c.id));
  return all.filter((a) => a.teacher.id === myId || classes.has(a.class.id));
}

export function JournalScreen({ school, assignment, period }: { school: MySchool; assignment: string | null; period: string | null }) {
  const org = school.org_id;
  const myId = me.value!.id;
  const today = todayIn();
  const base = useLoad(async () => {
    const years: AcademicYear[] = await api.get('/api/v1/orgs/{org_id}/years', { org_id: org });
    const year = yearFor(years, today);
    if (!year) return null;
    const [all, types] = await Promise.all([
      api.get('/api/v1/orgs/{org_id}/years/{year_id}/assignments', { org_id: org, year_id: year.id }),
      api.get('/api/v1/orgs/{org_id}/grade-types', { org_id: org }),
    ]);
    const list = readable(school, all, myId).sort((a, b) => assignmentLabel(a).localeCompare(assignmentLabel(b), 'ru'));
    return { year, assignments: list, types: activeTypes(types) };
  }, [org]);
  const data = base.data;
  const chosen = data ? (data.assignments.find((a) => String(a.id) === assignment) ?? data.assignments.find((a) => a.teacher.id === myId) ?? data.assignments[0]) : undefined;
  const periodNo = data ? (data.year.periods.find((p) => String(p.number) === period) ?? currentPeriod(data.year.periods, today))?.number : undefined;
  const go = (a: number, p: number | undefined) => navigate(`/journal?assignment=${a}${p ? `&period=${p}` : ''}`, true);
  const aId = useId('jg-a');
  const pId = useId('jg-p');

  return (
    <div class="page journal-grid-page">
      <PageTitle>{t('grid.title')}</PageTitle>
      {base.error ? <ErrorBox error={base.error} onRetry={base.reload} /> : null}
      {base.loading && !data ? <Loading /> : null}
      {data === null ? <p>{t('journal.no_year')}</p> : null}
      {data && !data.assignments.length ? <p>{t('grid.no_assignments')}</p> : null}
      {data && chosen && periodNo !== undefined ? (
        <>
          <div class="jg-pick">
            <div class="field">
              <label for={aId}>{t('grid.assignment')}</label>
              <select id={aId} value={String(chosen.id)} onChange={(e) => go(Number((e.currentTarget as HTMLSelectElement).value), periodNo)}>
                {data.assignments.map((a) => (
                  <option key={a.id} value={String(a.id)}>
                    {assignmentLabel(a)}
                    {a.teacher.id === myId ? '' : ` (${fullName(a.teacher)})`}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for={pId}>{t('grid.period')}</label>
              <select id={pId} value={String(periodNo)} onChange={(e) => go(chosen.id, Number((e.currentTarget as HTMLSelectElement).value))}>
                {data.year.periods.map((p) => (
                  <option key={p.number} value={String(p.number)}>
                    {p.name}
                    {p.closed ? ` (${t('grid.closed')})` : ''}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <Grid key={`${chosen.id}-${periodNo}`} school={school} year={data.year} assignment={chosen} period={periodNo} types={data.types} today={today} />
        </>
      ) : null}
    </div>
  );
}

function Grid({
  school,
  year,
  assignment,
  period,
  types,
  today,
}: {
  school: MySchool;
  year: AcademicYear;
  assignment: Assignment;
  period: number;
  types: GradeType[];
  today: string;
}) {
  const org = school.org_id;
  const mine = assignment.teacher.id === me.value!.id;
  const [grid, setGrid] = useState<JournalGrid | null>(null);
  const gridRef = useRef(grid);
  gridRef.current = grid;
  const [loadError, setLoadError] = useState<unknown>(null);
  const [days, setDays] = useState<WeekDay[]>([]);
  const [pos, setPos] = useState<Pos>({ row: 0, col: 0 });
  const [editing, setEditing] = useState<string | null>(null);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const draftsRef = useRef(drafts);
  draftsRef.current = drafts;
  const [status, setStatus] = useState<{ kind: 'saving' | 'saved' | 'error'; text: string } | null>(null);
  const [gradeType, setGradeType] = useState<number>(types[0]?.id ?? 0);
  const [reason, setReason] = useState('');
  const [finalErrors, setFinalErrors] = useState<Record<string, string>>({});
  const [finalBusy, setFinalBusy] = useState(false);
  const focusWanted = useRef(false);
  const tableRef = useRef<HTMLTableElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const editingRef = useRef<string | null>(null);
  editingRef.current = editing;
  const flushTimer = useRef<number | undefined>(undefined);
  const flushing = useRef(false);
  const opened = useRef<Record<string, number>>({});
  const typeId = useId('jg-type');
  const reasonId = useId('jg-reason');
  const helpId = useId('jg-help');

  // Each grid shown is newer than the one before: a read that set out before a later
  // answer (a period mark's save answers the grid) is dropped when it arrives.
  const shown = useRef(0);
  const show = (g: JournalGrid) => {
    shown.current++;
    gridRef.current = g;
    setGrid(g);
  };
  const load = async () => {
    const asked = shown.current;
    try {
      const g: JournalGrid = await api.get('/api/v1/orgs/{org_id}/years/{year_id}/journal', { org_id: org, year_id: year.id, assignment_id: assignment.id, period });
      if (asked !== shown.current) return;
      show(g);
      setLoadError(null);
    } catch (e) {
      setLoadError(e);
    }
  };
  useEffect(() => {
    void load();
    return () => window.clearTimeout(flushTimer.current);
  }, []);

  // The teacher's timetable lessons of the period up to today, so a lesson not yet
  // written down has its column too.
  const p = year.periods.find((x) => x.number === period);
  useEffect(() => {
    if (!mine || !p) return;
    const until = p.ends_on < today ? p.ends_on : today;
    const mondays: string[] = [];
    for (let m = mondayOf(p.starts_on); m <= until; m = addDays(m, 7)) mondays.push(m);
    let live = true;
    Promise.all(
      mondays.map((m) => api.get('/api/v1/orgs/{org_id}/years/{year_id}/week', { org_id: org, year_id: year.id, date: m, teacher_id: me.value!.id }).catch(() => null)),
    ).then((weeks) => live && setDays(weeks.flatMap((w) => w?.days ?? [])));
    return () => {
      live = false;
    };
  }, []);

  const cols: Column[] = useMemo(
    () => (grid && p ? buildColumns(grid.lessons, days, assignment.id, p.starts_on, p.ends_on < today ? p.ends_on : today) : []),
    [grid, days],
  );
  const colsRef = useRef(cols);
  colsRef.current = cols;
  const rows = grid?.rows ?? [];
  const colKey = (c: Column) => `${c.date}/${c.number}`;
  const cellKey = (c: Column, student: number) => `${colKey(c)}|${student}`;
  const lessonOf = (c: Column): number | null => c.lesson?.id ?? opened.current[colKey(c)] ?? null;
  const storedCell = (student: number, c: Column): GridCell | undefined => {
    const id = lessonOf(c);
    const g = gridRef.current;
    if (id === null || !g) return undefined;
    const index = g.lessons.findIndex((l) => l.id === id);
    return index < 0 ? undefined : g.rows.find((r) => r.student.id === student)?.cells[index];
  };

  useLayoutEffect(() => {
    if (!focusWanted.current) return;
    focusWanted.current = false;
    if (editing) inputRef.current?.focus();
    else tableRef.current?.querySelector<HTMLElement>(`[data-pos="${pos.row}-${pos.col}"]`)?.focus();
  });

  const setDraft = (key: string, d: Draft | null) => {
    const next = { ...draftsRef.current };
    if (d) next[key] = d;
    else delete next[key];
    draftsRef.current = next;
    setDrafts(next);
  };

  const problemText = (problem: string, token?: string) => t(`grid.problem.${problem}` as Key, { token: token ?? '' });

  const commit = (row: number, col: number, text: string) => {
    const c = cols[col];
    const student = rows[row]?.student.id;
    if (!c || student === undefined) return;
    const key = cellKey(c, student);
    const stored = storedCell(student, c);
    const parsed = parseCell(text);
    if (!parsed.ok) {
      setDraft(key, { text, value: null, error: problemText(parsed.problem, parsed.token), saving: false });
      return;
    }
    if (sameValue(parsed.value, cellValue(stored))) {
      if (!draftsRef.current[key]?.saving) setDraft(key, null);
      return;
    }
    setDraft(key, { text, value: parsed.value, error: null, saving: false });
    window.clearTimeout(flushTimer.current);
    flushTimer.current = window.setTimeout(() => void flush(), 300);
  };

  const flush = async () => {
    if (flushing.current) {
      flushTimer.current = window.setTimeout(() => void flush(), 300);
      return;
    }
    flushing.current = true;
    let failed: string | null = null;
    // Saved cells keep their text until the grid is read again, so nothing flickers back.
    const saved: (() => void)[] = [];
    try {
      const waiting = Object.entries(draftsRef.current).filter(([, d]) => d.value && !d.error && !d.saving);
      if (!waiting.length) return;
      setStatus({ kind: 'saving', text: t('grid.saving') });
      const byColumn = new Map<string, [string, Draft][]>();
      for (const entry of waiting) {
        const ck = entry[0].split('|')[0]!;
        byColumn.set(ck, [...(byColumn.get(ck) ?? []), entry]);
      }
      for (const [ck, entries] of byColumn) {
        const c = colsRef.current.find((x) => colKey(x) === ck);
        if (!c) continue;
        for (const [key, d] of entries) setDraft(key, { ...d, saving: true });
        const sent = new Map(entries.map(([key, d]) => [key, d.text]));
        const unmark = (error: (student: number) => string | null) => {
          for (const [key] of entries) {
            const now = draftsRef.current[key];
            if (!now) continue;
            const student = Number(key.split('|')[1]);
            const e = error(student);
            if (e === null && now.text === sent.get(key)) saved.push(() => draftsRef.current[key]?.text === now.text && setDraft(key, null));
            else setDraft(key, { ...now, saving: false, error: e });
          }
        };
        try {
          let lesson = lessonOf(c);
          if (lesson === null) {
            const page: LessonPage = await api.post('/api/v1/orgs/{org_id}/lessons', { org_id: org }, { assignment_id: assignment.id, date: c.date, shift: c.shift ?? 1, number: c.number });
            lesson = page.lesson.id;
            opened.current[ck] = lesson;
          }
          const cells: TypedCell[] = entries.map(([key, d]) => {
            const student = Number(key.split('|')[1]);
            return { student, stored: storedCell(student, c), value: d.value! };
          });
          const r = columnRequests(cells, gradeType);
          try {
            if (r.attendance.entries.length) await api.put('/api/v1/orgs/{org_id}/lessons/{lesson_id}/attendance', { org_id: org, lesson_id: lesson }, r.attendance);
          } catch (e) {
            if (e instanceof ApiError) {
              const errs = errorsByStudent(e.fields, { entries: r.attendanceOrder });
              unmark((s) => errs[s] ?? e.message);
              failed = e.message;
              continue;
            }
            throw e;
          }
          try {
            if (r.grades.grades!.length || r.grades.delete!.length)
              await api.put('/api/v1/orgs/{org_id}/lessons/{lesson_id}/grades', { org_id: org, lesson_id: lesson }, r.grades);
          } catch (e) {
            if (e instanceof ApiError) {
              const errs = errorsByStudent(e.fields, { grades: r.gradesOrder, delete: r.deleteOrder });
              unmark((s) => errs[s] ?? e.message);
              failed = e.message;
              continue;
            }
            throw e;
          }
          unmark(() => null);
        } catch (e) {
          const text = errorText(e);
          unmark(() => text);
          failed = text;
        }
      }
      await load();
      for (const clear of saved) clear();
      setStatus(failed ? { kind: 'error', text: t('grid.not_saved') } : { kind: 'saved', text: t('grid.saved') });
    } finally {
      flushing.current = false;
    }
  };

  const goTo = (next: Pos) => {
    focusWanted.current = true;
    setPos(next);
  };

  const startEdit = (text: string) => {
    const c = cols[pos.col];
    const student = rows[pos.row]?.student.id;
    if (!mine || !c || student === undefined) return;
    const key = cellKey(c, student);
    setDraft(key, { ...(draftsRef.current[key] ?? { value: null, error: null, saving: false }), text });
    focusWanted.current = true;
    setEditing(key);
  };

  const shownText = (c: Column, student: number) => {
    const d = drafts[cellKey(c, student)];
    return d ? d.text : cellText(storedCell(student, c));
  };

  const onCellKey = (e: KeyboardEvent) => {
    if (editingRef.current) return;
    const c = cols[pos.col];
    const student = rows[pos.row]?.student.id;
    if (e.key === 'Enter' || e.key === 'F2') {
      if (mine && c && student !== undefined) {
        e.preventDefault();
        startEdit(shownText(c, student));
      }
      return;
    }
    if (e.key === 'Delete' || e.key === 'Backspace') {
      if (mine) {
        e.preventDefault();
        commit(pos.row, pos.col, '');
      }
      return;
    }
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && e.key !== ' ') {
      if (mine) {
        e.preventDefault();
        startEdit(e.key);
      }
      return;
    }
    if (e.key === 'Tab') return; // Tab leaves the grid when not typing.
    const next = move(pos, e.key, rows.length, cols.length, e.shiftKey);
    if (next) {
      e.preventDefault();
      goTo(next);
    }
  };

  const onInputKey = (e: KeyboardEvent) => {
    const input = e.currentTarget as HTMLInputElement;
    if (e.key === 'Escape') {
      e.preventDefault();
      const key = editingRef.current!;
      const d = draftsRef.current[key];
      if (d && !d.value && !d.error) setDraft(key, null);
      editingRef.current = null;
      setEditing(null);
      goTo(pos);
      return;
    }
    if (e.key === 'Enter' || e.key === 'Tab' || e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      editingRef.current = null;
      setEditing(null);
      commit(pos.row, pos.col, input.value);
      goTo(move(pos, e.key, rows.length, cols.length, e.shiftKey) ?? pos);
    }
  };

  const onInputBlur = (e: FocusEvent) => {
    if (!editingRef.current) return;
    editingRef.current = null;
    setEditing(null);
    commit(pos.row, pos.col, (e.currentTarget as HTMLInputElement).value);
  };

  // ---------- period and year marks ----------
  const periodClosed = !!grid?.period.closed;
  const yearClosed = !!grid?.year_closed;
  const admin = school.is_admin;
  const mayPeriod = periodClosed ? admin : mine;
  const mayYear = yearClosed ? admin : mine;

  const setFinal = async (kind: 'period' | 'year', marks: { student_id: number; mark: string | null }[]) => {
    const closed = kind === 'period' ? periodClosed : yearClosed;
    if (closed && !reason.trim()) {
      setFinalErrors({ reason: t('grid.reason_needed') });
      document.getElementById(reasonId)?.focus();
      return;
    }
    setFinalBusy(true);
    setFinalErrors({});
    try {
      const body = { assignment_id: assignment.id, period, marks, reason: closed ? reason.trim() : null };
      const g: JournalGrid =
        kind === 'period'
          ? await api.put('/api/v1/orgs/{org_id}/years/{year_id}/period-marks', { org_id: org, year_id: year.id }, body)
          : await api.put('/api/v1/orgs/{org_id}/years/{year_id}/year-marks', { org_id: org, year_id: year.id }, body);
      show(g);
      setStatus({ kind: 'saved', text: t('grid.saved') });
    } catch (e) {
      const errs: Record<string, string> = {};
      if (e instanceof ApiError) {
        for (const [field, text] of Object.entries(e.fields)) {
          const m = /^marks\[(\d+)\]/.exec(field);
          if (m && marks[Number(m[1])]) errs[`${kind}-${marks[Number(m[1])]!.student_id}`] = text;
          else if (field === 'reason') errs.reason = text;
        }
      }
      if (!Object.keys(errs).length) errs[`${kind}-${marks[0]?.student_id}`] = errorText(e);
      setFinalErrors(errs);
      setStatus({ kind: 'error', text: t('grid.not_saved') });
    } finally {
      setFinalBusy(false);
    }
  };

  const suggestedMissing = rows.filter((r) => r.suggested_mark && !r.period_mark);

  if (loadError && !grid) return <ErrorBox error={loadError} onRetry={() => void load()} />;
  if (!grid) return <Loading />;

  const exportHref = (format: string) =>
    `/api/v1/orgs/${org}/years/${year.id}/journal/export?assignment_id=${assignment.id}&period=${period}&format=${format}`;
  const summaryHref = (n: number, format: string) => `/api/v1/orgs/${org}/years/${year.id}/classes/${assignment.class.id}/summary?period=${n}&format=${format}`;
  const periodMarkName = grid.period.name;
  // Individual assignments due in the period: a column apart from the lessons'.
  const individual = grid.individual ?? [];
  const errorCells = Object.values(drafts).filter((d) => d.error).length;

  return (
    <>
      <div class="jg-tools">
        {mine ? (
          <div class="field jg-type">
            <label for={typeId}>{t('grid.kind')}</label>
            <select id={typeId} value={String(gradeType)} onChange={(e) => setGradeType(Number((e.currentTarget as HTMLSelectElement).value))}>
              {types.map((x) => (
                <option key={x.id} value={String(x.id)}>
                  {x.name} ({x.weight})
                </option>
              ))}
            </select>
          </div>
        ) : (
          <p class="muted jg-readonly">{t('grid.read_only', { teacher: fullName(assignment.teacher) })}</p>
        )}
        <p id={helpId} class="hint jg-help">
          {mine ? t('grid.help') : t('grid.help_read')}
        </p>
      </div>
      {(periodClosed || yearClosed) && admin ? (
        <div class="field jg-reason">
          <label for={reasonId}>{t('grid.reason')}</label>
          <input id={reasonId} type="text" value={reason} maxLength={300} onInput={(e) => setReason((e.currentTarget as HTMLInputElement).value)} aria-invalid={finalErrors.reason ? true : undefined} />
          <InlineError error={finalErrors.reason ?? null} />
        </div>
      ) : periodClosed || yearClosed ? (
        <p class="muted">{yearClosed ? t('grid.year_closed') : t('grid.period_closed')}</p>
      ) : null}
      <p class={`jg-status${status?.kind === 'error' ? ' jg-status--error' : ''}`} role="status" aria-live="polite">
        {status ? (errorCells && status.kind === 'error' ? `${status.text} ${t('grid.fix_cells', { n: errorCells })}` : status.text) : ''}
      </p>
      {!rows.length ? <p>{t('grid.no_students')}</p> : null}
      <div class="jg-wrap" tabIndex={-1}>
        <table class="jg-table" role="grid" ref={tableRef} aria-label={`${assignmentLabel(assignment)}, ${grid.period.name}`} aria-describedby={helpId}>
          <thead>
            <tr>
              <th scope="col" role="columnheader" class="jg-name">
                {t('grid.student')}
              </th>
              {cols.map((c) => (
                <th scope="col" role="columnheader" key={colKey(c)} class={`jg-date${c.lesson ? '' : ' jg-date--planned'}`} title={c.lesson?.topic ?? (c.lesson ? undefined : t('grid.not_opened'))}>
                  {c.lesson && mine ? <a href={`/lessons/${c.lesson.id}`}>{shortDate(c.date)}</a> : shortDate(c.date)}
                  <span class="visually-hidden">
                    , {t('journal.lesson_n', { n: c.number })}
                    {c.lesson?.topic ? `, ${c.lesson.topic}` : ''}
                  </span>
                </th>
              ))}
              {individual.length ? (
                <th scope="col" role="columnheader" class="jg-ind" title={indT('ind.column_long')}>
                  <span aria-hidden="true">{indT('ind.column')}</span>
                  <span class="visually-hidden">{indT('ind.column_long')}</span>
                </th>
              ) : null}
              <th scope="col" role="columnheader" class="jg-avg">
                {t('grid.average')}
              </th>
              <th scope="col" role="columnheader" class="jg-final">
                {periodMarkName}
              </th>
              <th scope="col" role="columnheader" class="jg-final">
                {t('grid.year')}
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, ri) => {
              const name = fullName(r.student);
              return (
                <tr key={r.student.id} data-student-id={r.student.id}>
                  <th scope="row" role="rowheader" class="jg-name">
                    {name}
                  </th>
                  {cols.map((c, ci) => {
                    const key = cellKey(c, r.student.id);
                    const d = drafts[key];
                    const stored = storedCell(r.student.id, c);
                    const active = pos.row === ri && pos.col === ci;
                    const isEditing = editing === key;
                    const errId = `jg-err-${ri}-${ci}`;
                    return (
                      <td
                        key={key}
                        role="gridcell"
                        data-pos={`${ri}-${ci}`}
                        data-date={c.date}
                        tabIndex={active ? 0 : -1}
                        aria-selected={active}
                        aria-invalid={d?.error ? true : undefined}
                        aria-describedby={d?.error ? errId : undefined}
                        class={`jg-cell${active ? ' jg-cell--active' : ''}${d ? (d.error ? ' jg-cell--error' : ' jg-cell--pending') : ''}${stored?.attendance ? ' jg-cell--absent' : ''}`}
                        onClick={() => {
                          if (isEditing) return;
                          // A second tap on the selected cell edits it (on a phone, the way to type).
                          if (active && mine) startEdit(shownText(c, r.student.id));
                          else goTo({ row: ri, col: ci });
                        }}
                        onDblClick={() => {
                          if (mine) {
                            setPos({ row: ri, col: ci });
                            startEdit(shownText(c, r.student.id));
                          }
                        }}
                        onKeyDown={onCellKey}
                      >
                        {isEditing ? (
                          <input
                            ref={inputRef}
                            class="jg-input"
                            type="text"
                            value={d?.text ?? ''}
                            aria-label={t('grid.cell_of', { name, date: shortDate(c.date) })}
                            onInput={(e) => setDraft(key, { ...(draftsRef.current[key] ?? { value: null, error: null, saving: false }), text: (e.currentTarget as HTMLInputElement).value })}
                            onKeyDown={onInputKey}
                            onBlur={onInputBlur}
                          />
                        ) : (
                          <CellView draft={d} stored={stored} />
                        )}
                        {d?.error ? (
                          <span id={errId} class="visually-hidden">
                            {d.error}
                          </span>
                        ) : null}
                      </td>
                    );
                  })}
                  {individual.length ? (
                    <td class="jg-ind">
                      <IndividualMarks items={individual.filter((x) => x.student_id === r.student.id)} />
                    </td>
                  ) : null}
                  <td class="jg-avg">{r.average === null || r.average === undefined ? '' : r.average.toFixed(2).replace('.', ',')}</td>
                  <td class="jg-final">
                    <FinalSelect
                      label={t('grid.period_mark_of', { period: periodMarkName, name })}
                      value={r.period_mark ?? ''}
                      suggested={r.suggested_mark ?? null}
                      disabled={!mayPeriod || finalBusy}
                      error={finalErrors[`period-${r.student.id}`] ?? null}
                      onChange={(mark) => void setFinal('period', [{ student_id: r.student.id, mark: mark || null }])}
                    />
                  </td>
                  <td class="jg-final">
                    <FinalSelect
                      label={t('grid.year_mark_of', { name })}
                      value={r.year_mark ?? ''}
                      suggested={r.suggested_year_mark ?? null}
                      disabled={!mayYear || finalBusy}
                      error={finalErrors[`year-${r.student.id}`] ?? null}
                      onChange={(mark) => void setFinal('year', [{ student_id: r.student.id, mark: mark || null }])}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {Object.entries(drafts).some(([, d]) => d.error) ? (
        <ul class="jg-errors">
          {Object.entries(drafts)
            .filter(([, d]) => d.error)
            .map(([key, d]) => {
              const [ck, student] = key.split('|');
              const row = rows.find((x) => String(x.student.id) === student);
              return (
                <li key={key}>
                  {row ? fullName(row.student) : ''}, {shortDate(ck!.split('/')[0]!)}: {d.error}
                </li>
              );
            })}
        </ul>
      ) : null}
      <div class="jg-after">
        {mayPeriod && !periodClosed && suggestedMissing.length ? (
          <button
            type="button"
            class="btn btn--secondary"
            disabled={finalBusy}
            onClick={() => void setFinal('period', suggestedMissing.map((r) => ({ student_id: r.student.id, mark: r.suggested_mark ?? null })))}
          >
            {t('grid.take_suggested', { n: suggestedMissing.length })}
          </button>
        ) : null}
        <p class="hint">{t('grid.rounding', { from: String(grid.round_from).replace('.', ',') })}</p>
      </div>
      <IndividualSection org={org} assignment={assignment} students={rows.map((r) => r.student)} mine={mine} today={today} onChanged={() => void load()} />
      <section class="jg-exports" aria-labelledby="jg-exports-h">
        <h2 id="jg-exports-h">{t('grid.exports')}</h2>
        <p class="jg-links">
          <a class="btn btn--secondary" href={exportHref('xlsx')} download>
            {t('grid.export_grid')} (XLSX)
          </a>
          <a class="btn btn--secondary" href={exportHref('csv')} download>
            {t('grid.export_grid')} (CSV)
          </a>
          {canManage(school) ? (
            <>
              <a class="btn btn--secondary" href={summaryHref(period, 'xlsx')} download>
                {t('grid.export_summary')} (XLSX)
              </a>
              <a class="btn btn--secondary" href={summaryHref(period, 'csv')} download>
                {t('grid.export_summary')} (CSV)
              </a>
              <a class="btn btn--secondary" href={summaryHref(0, 'xlsx')} download>
                {t('grid.export_year')} (XLSX)
              </a>
              <a class="btn btn--secondary" href={summaryHref(0, 'csv')} download>
                {t('grid.export_year')} (CSV)
              </a>
            </>
          ) : null}
        </p>
      </section>
      {grid.lessons.some((l) => l.topic) ? (
        <section class="jg-topics" aria-labelledby="jg-topics-h">
          <h2 id="jg-topics-h">{t('grid.topics')}</h2>
          <ol>
            {grid.lessons
              .filter((l) => l.topic)
              .map((l) => (
                <li key={l.id}>
                  <span class="jg-topic-date">{shortDate(l.date)}</span> {l.topic}
                </li>
              ))}
          </ol>
        </section>
      ) : null}
    </>
  );
}

/** A student's individual assignments due in the period: their marks, or a dash for one not marked yet. */
function IndividualMarks({ items }: { items: GridIndividual[] }) {
  return (
    <span class="jg-text">
      {items.map((x) =>
        x.mark ? (
          <span key={x.id} class="jg-mark" data-mark={x.mark} title={x.body}>
            {x.mark}
          </span>
        ) : (
          <span key={x.id} class="jg-ind-open" title={indT('ind.column_due', { date: shortDate(x.due_on) })}>
            <span aria-hidden="true">–</span>
            <span class="visually-hidden">{indT('ind.column_due', { date: shortDate(x.due_on) })}</span>
          </span>
        ),
      )}
    </span>
  );
}

function CellView({ draft, stored }: { draft: Draft | undefined; stored: GridCell | undefined }) {
  if (draft) return <span class="jg-text">{draft.text}</span>;
  if (!stored) return null;
  const a = stored.attendance;
  return (
    <span class="jg-text">
      {a ? (
        <span class="jg-abs" data-absence={a.absence} title={t(`journal.absence_long.${a.absence}` as Key) + (a.reason ? `: ${a.reason}` : '')}>
          {a.absence === 'late' && a.minutes_late ? `${LETTERS.late}${a.minutes_late}` : LETTERS[a.absence]}
        </span>
      ) : null}
      {stored.grades.map((g) => (
        <span key={g.id} class="jg-mark" data-mark={g.mark} title={g.comment ?? undefined}>
          {g.mark}
        </span>
      ))}
    </span>
  );
}

function FinalSelect(p: { label: string; value: string; suggested: string | null; disabled: boolean; error: string | null; onChange: (mark: string) => void }) {
  const id = useId('jg-f');
  return (
    <span class="jg-final-box">
      <select
        aria-label={p.label}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={p.error ? id : undefined}
        value={p.value}
        disabled={p.disabled}
        onChange={(e) => p.onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        <option value="">—</option>
        {FINAL_MARKS.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      {p.suggested && p.suggested !== p.value ? (
        <span class="jg-suggest" title={t('grid.suggested')}>
          <span aria-hidden="true">→ </span>
          <span class="visually-hidden">{t('grid.suggested')}: </span>
          {p.suggested}
        </span>
      ) : null}
      {p.error ? (
        <span id={id} class="jg-final-error" role="alert">
          {p.error}
        </span>
      ) : null}
    </span>
  );
}
