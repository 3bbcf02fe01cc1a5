// Choosing people of the school by name (new chats, adding members): a search box,
// matching people as checkboxes, and the chosen ones as removable chips.
import { useEffect, useState } from 'preact/hooks';
import type { Member } from '../api/types';
import { schoolPeople } from '../chat/actions';
import { pickable } from '../chat/manage';
import { fullName } from '../format';
import { t, tk, tn } from '../i18n';
import { ErrorBox, Loading, useId } from './ui';

function describe(m: Member): string {
  const roles = m.roles.map((r) => tk('role', r));
  const classes = m.places.filter((p) => p.class.kind !== 'staff_room').map((p) => p.class.name);
  return [...new Set(roles)].join(', ') + (classes.length ? ` · ${[...new Set(classes)].join(', ')}` : '');
}

export function PeoplePicker({
  orgId,
  exclude,
  chosen,
  onChange,
  label,
}: {
  orgId: number;
  /** People not to offer (already in the chat, oneself). */
  exclude: number[];
  chosen: Member[];
  onChange: (next: Member[]) => void;
  label: string;
}) {
  const id = useId('pick');
  const [people, setPeople] = useState<Member[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [query, setQuery] = useState('');
  useEffect(() => {
    let live = true;
    schoolPeople(orgId).then(
      (list) => live && setPeople(list),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [orgId]);
  const chosenIds = new Set(chosen.map((m) => m.person.id));
  // Nobody is listed before a letter is typed: a whole school is too long a list to scroll.
  const typed = query.trim() !== '';
  const found = people && typed ? pickable(people, query, exclude) : [];
  const toggle = (m: Member, on: boolean) => onChange(on ? [...chosen, m] : chosen.filter((x) => x.person.id !== m.person.id));
  return (
    <fieldset class="picker">
      <legend>{label}</legend>
      <div class="field">
        <label for={id}>{t('chatmgmt.picker_search')}</label>
        <input id={id} type="search" value={query} autoComplete="off" aria-describedby={`${id}-count`} onInput={(e) => setQuery((e.currentTarget as HTMLInputElement).value)} />
        <p class="hint" id={`${id}-count`} role="status">
          {!people ? '' : !typed ? t('chatmgmt.picker_start') : found.length ? tn('chatmgmt.picker_found', found.length) : t('chatmgmt.picker_none')}
        </p>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {!people && !error ? <Loading /> : null}
      {found.length ? (
        <ul class="picker-list">
          {found.map((m) => (
            <li key={m.person.id} class="field--check">
              <input id={`${id}-${m.person.id}`} type="checkbox" checked={chosenIds.has(m.person.id)} onChange={(e) => toggle(m, (e.currentTarget as HTMLInputElement).checked)} />
              <label for={`${id}-${m.person.id}`}>
                {fullName(m.person)} <span class="muted">{describe(m)}</span>
              </label>
            </li>
          ))}
        </ul>
      ) : null}
      {chosen.length ? (
        <div class="picker-chosen">
          <p class="hint">{tn('chatmgmt.picker_chosen', chosen.length)}</p>
          <ul class="chips">
            {chosen.map((m) => (
              <li key={m.person.id} class="chip">
                {fullName(m.person)}
                <button type="button" class="chip-remove" aria-label={t('chatmgmt.picker_unchoose', { name: fullName(m.person) })} onClick={() => toggle(m, false)}>
                  ×
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </fieldset>
  );
}
