// Who teaches what, in the «Учебный год» tab: the classes' groups (groups.tsx) and a
// year's teaching assignments (assignments.tsx). Both read the school's classes and
// people loaded here once; the assignments of the year shown are kept here too, so a
// group's row says who teaches it, and a group changed or deleted shows in the
// assignments at once. Part of the year tab's chunk.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { AcademicYear, Member, PersonRef, SchoolClass } from '../../api/types';
import { InlineError, useId, useLoad } from '../../components/ui';
import { t } from '../../i18n';
import { api } from '../../state';
import { defaultYear, teachers, teachingClasses, type Assignment } from '../../school-year/teaching';
import { AssignmentsSection } from './assignments';
import { GroupsSection } from './groups';
import './teaching.css';

export function TeachingSections({ org, years, today }: { org: number; years: AcademicYear[]; today: string }) {
  const classes = useLoad(() => api.get('/api/v1/orgs/{org_id}/classes', { org_id: org }), [org]);
  const members = useLoad(() => api.get('/api/v1/orgs/{org_id}/members', { org_id: org }), [org]);
  const [picked, setPicked] = useState<number | null>(null);
  const yearId = picked !== null && years.some((y) => y.id === picked) ? picked : defaultYear(years, today);
  const loaded = useLoad(
    async () => ({
      yearId,
      items: yearId ? await api.get('/api/v1/orgs/{org_id}/years/{year_id}/assignments', { org_id: org, year_id: yearId }) : [],
    }),
    [org, yearId],
  );
  // The year's assignments (not the year's before, while they load).
  const current = loaded.data?.yearId === yearId ? loaded.data.items : undefined;
  // Additions and endings are applied here (a row keeps its place and its focus) until
  // the next load brings the server's list.
  const [local, setLocal] = useState<{ from: Assignment[] | undefined; items: Assignment[] } | null>(null);
  const assignments = local && local.from === current ? local.items : (current ?? []);
  const change = (items: Assignment[]) => setLocal({ from: current, items });
  // Groups changed: the assignment form reads the class's groups again.
  const [groupsVersion, setGroupsVersion] = useState(0);

  const people: People = {
    classes: teachingClasses(classes.data ?? []),
    members: members.data ?? [],
    staff: teachers(members.data ?? []),
    ready: !!classes.data && !!members.data,
    error: classes.error || members.error,
    reload: () => {
      if (classes.error) classes.reload();
      if (members.error) members.reload();
    },
  };

  return (
    <>
      <GroupsSection
        org={org}
        people={people}
        assignments={assignments}
        onChanged={(ended) => {
          setGroupsVersion((v) => v + 1);
          // A group deleted ends its assignments; a renamed one is shown by its new name.
          if (ended || assignments.some((a) => a.group)) loaded.reload();
        }}
      />
      <AssignmentsSection
        org={org}
        years={years}
        yearId={yearId}
        onYear={setPicked}
        people={people}
        assignments={assignments}
        loading={!current && !loaded.error}
        error={loaded.error}
        reload={loaded.reload}
        groupsVersion={groupsVersion}
        onAdded={(a) => change([...assignments, a])}
        onEnded={(id) => change(assignments.filter((a) => a.id !== id))}
      />
    </>
  );
}

/** The school's classes and people, as both sections use them. */
export interface People {
  /** The classes that have lessons, in order. */
  classes: SchoolClass[];
  members: Member[];
  /** Who may be given a subject. */
  staff: PersonRef[];
  ready: boolean;
  error: unknown;
  reload: () => void;
}

/**
 * A button whose act is asked about first, inline: the warning, the act, «Отмена».
 * Focus goes to the act when asked and back to the button when cancelled; after the
 * act, where it goes is the caller's (the row is usually gone).
 */
export function AskFirst({
  label,
  ariaLabel,
  warning,
  act,
  class: cls,
  onConfirm,
}: {
  label: string;
  ariaLabel: string;
  warning: string;
  act: string;
  class: string;
  onConfirm: () => Promise<void>;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLSpanElement>(null);
  const moved = useRef(false);
  useLayoutEffect(() => {
    if (asking) box.current?.querySelector<HTMLElement>('.ask-act')?.focus();
    else if (moved.current) box.current?.querySelector<HTMLElement>(`.${cls}`)?.focus();
    moved.current = false;
  }, [asking]);
  const warningId = useId('ask');

  return (
    <span ref={box} class="ask-first">
      {asking ? (
        <span class="ask-box" role="group" aria-label={ariaLabel} aria-describedby={warningId}>
          <span class="ask-warning" id={warningId}>
            {warning}
          </span>
          <span class="item-actions">
            <button
              type="button"
              class="btn btn--danger btn--small ask-act"
              aria-busy={busy || undefined}
              onClick={async () => {
                // Not disabled while it runs: a disabled button would drop the focus.
                if (busy) return;
                setBusy(true);
                setError(null);
                try {
                  await onConfirm();
                } catch (e) {
                  setError(e instanceof Error ? e.message : String(e));
                } finally {
                  setBusy(false);
                }
              }}
            >
              {act}
            </button>
            <button
              type="button"
              class="btn btn--secondary btn--small"
              onClick={() => {
                moved.current = true;
                setError(null);
                setAsking(false);
              }}
            >
              {t('common.cancel')}
            </button>
          </span>
          <InlineError error={error} />
        </span>
      ) : (
        <button
          type="button"
          class={`btn btn--secondary btn--small ${cls}`}
          aria-label={ariaLabel}
          onClick={() => {
            moved.current = true;
            setAsking(true);
          }}
        >
          {label}
        </button>
      )}
    </span>
  );
}
