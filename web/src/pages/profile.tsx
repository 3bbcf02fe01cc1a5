import { useState } from 'preact/hooks';
import type { MySchool, Place } from '../api/types';
import { Badge, chunk, ConfirmButton, ErrorBox, Field, FormMessage, Lazy, Loading, Notice, PageTitle, Submit, useAction, useForm, useLoad } from '../components/ui';
import { dateTime, day, fullName, shortAgent } from '../format';
import { t, tk } from '../i18n';
import { navigate } from '../router';
import { api, logout, me } from '../state';
import { className } from './entry';

/** Editing the photo, name, contacts and language: a chunk of its own. */
const profileEdit = chunk(() => import('./profile-edit'));
/** Signing in with external services: a chunk of its own. */
const sso = chunk(() => import('./sso'));

function roleBadges(s: MySchool) {
  const roles = Array.from(new Set(s.places.map((p) => p.role)));
  return (
    <span class="badges">
      {s.is_admin ? <Badge kind="admin">{t('role.admin')}</Badge> : null}
      {roles.map((r) => (
        <Badge key={r} kind={r}>
          {tk('role', r)}
        </Badge>
      ))}
      {s.class_teacher_of.length ? <Badge kind="teacher">{t('role.class_teacher')}</Badge> : null}
      {s.teacher_verified ? (
        <Badge kind="verified" title={t('member.verified_title')}>
          ✓ {t('member.verified')}
        </Badge>
      ) : null}
    </span>
  );
}

function placeText(p: Place): string {
  const cls = className(p.class.name, p.class.kind);
  if (p.role === 'parent' && p.child) return t('profile.place_parent', { child: fullName(p.child), class: cls });
  return `${tk('role', p.role)} — ${cls}`;
}

function Children() {
  const m = me.value!;
  const kids: { school: MySchool; place: Place }[] = [];
  for (const s of m.schools) for (const p of s.places) if (p.role === 'parent' && p.child) kids.push({ school: s, place: p });
  const [sel, setSel] = useState(0);
  if (!kids.length) return null;
  const cur = kids[Math.min(sel, kids.length - 1)]!;
  return (
    <section class="card" aria-labelledby="kids-title">
      <h2 id="kids-title">{t('profile.children')}</h2>
      {kids.length > 1 ? (
        <div class="segmented" role="group" aria-label={t('profile.choose_child')}>
          {kids.map((k, i) => (
            <button
              key={k.place.membership_id}
              type="button"
              class="seg"
              aria-pressed={i === sel}
              onClick={() => setSel(i)}
            >
              {k.place.child!.given_name} · {className(k.place.class.name, k.place.class.kind)}
            </button>
          ))}
        </div>
      ) : null}
      <dl class="facts" data-child-id={cur.place.child!.id}>
        <dt>{t('profile.child')}</dt>
        <dd>{fullName(cur.place.child)}</dd>
        <dt>{t('join.school')}</dt>
        <dd>{cur.school.short_name}</dd>
        <dt>{t('join.class')}</dt>
        <dd>{className(cur.place.class.name, cur.place.class.kind)}</dd>
        <dt>{t('profile.since')}</dt>
        <dd>{day(cur.place.started_on)}</dd>
      </dl>
    </section>
  );
}

/** What the person agreed to and when: for themselves, and for each child by name. */
function Consents() {
  const list = me.value!.consents ?? [];
  return (
    <section class="card" aria-labelledby="consents-title">
      <h2 id="consents-title">{t('consent.profile_title')}</h2>
      {list.length ? (
        <ul class="plain consents">
          {list.map((c, i) => (
            <li key={i} data-consent-kind={c.kind}>
              <strong>{c.kind === 'child' && c.child ? t('consent.for_child', { name: fullName(c.child) }) : t('consent.for_self')}</strong>{' '}
              <span class="muted">· {t('consent.given', { at: dateTime(c.at), version: c.version })}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{t('consent.profile_none')}</p>
      )}
    </section>
  );
}

function Sessions() {
  const sessions = useLoad(() => api.get('/api/v1/me/sessions'), []);
  const [error, setError] = useState<unknown>(null);
  return (
    <section class="card" aria-labelledby="sess-title">
      <h2 id="sess-title">{t('profile.sessions')}</h2>
      <p class="hint">{t('profile.sessions_hint')}</p>
      {error ? <ErrorBox error={error} /> : null}
      {sessions.loading && !sessions.data ? <Loading /> : null}
      {sessions.error ? <ErrorBox error={sessions.error} onRetry={sessions.reload} /> : null}
      <ul class="list">
        {(sessions.data ?? []).map((s) => (
          <li key={s.id} class="list-item">
            <div>
              <strong>{s.user_agent ? shortAgent(s.user_agent) : t('profile.unknown_device')}</strong>{' '}
              {s.current ? <Badge kind="ok">{t('profile.this_session')}</Badge> : null}
              <div class="muted">
                {s.ip ? `${s.ip} · ` : ''}
                {t('profile.last_seen', { at: dateTime(s.last_seen_at) })}
              </div>
            </div>
            <ConfirmButton
              confirm={s.current ? t('profile.end_current_q') : t('profile.end_q')}
              onConfirm={async () => {
                try {
                  await api.del('/api/v1/me/sessions/{session_id}', { session_id: s.id });
                  if (s.current) {
                    await logout();
                    navigate('/login', true);
                  } else sessions.reload();
                } catch (e) {
                  setError(e);
                }
              }}
            >
              {t('profile.end')}
            </ConfirmButton>
          </li>
        ))}
      </ul>
    </section>
  );
}

function ChangePassword() {
  const form = useForm({ current_password: '', new_password: '' });
  const [ok, setOk] = useState(false);
  return (
    <form
      class="card form"
      aria-labelledby="pw-title"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        setOk(false);
        const done = await form.submit(async (v) => {
          await api.post('/api/v1/me/password', undefined, {
            current_password: String(v.current_password),
            new_password: String(v.new_password),
          });
          return true;
        });
        if (done) {
          form.reset();
          setOk(true);
        }
      }}
    >
      <h2 id="pw-title">{t('profile.change_password')}</h2>
      {ok ? <Notice>{t('profile.password_changed')}</Notice> : null}
      <FormMessage form={form} />
      <Field form={form} name="current_password" label={t('profile.current_password')} type="password" autocomplete="current-password" required />
      <Field form={form} name="new_password" label={t('person.new_password')} type="password" autocomplete="new-password" required hint={t('person.password_hint')} />
      <div class="actions">
        <Submit form={form}>{t('profile.change_password_submit')}</Submit>
      </div>
    </form>
  );
}

function DeleteAccount() {
  const form = useForm<{ password: string; confirm: boolean }>({ password: '', confirm: false });
  return (
    <form
      class="card form danger-zone"
      aria-labelledby="del-title"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        if (form.values.value.confirm !== true) {
          form.errors.value = { confirm: t('profile.delete_confirm_needed') };
          return;
        }
        const done = await form.submit(async (v) => {
          await api.del('/api/v1/me', undefined, { password: String(v.password) });
          return true;
        });
        if (done) {
          api.setCsrf(null);
          me.value = null;
          navigate('/login?deleted=1', true);
        }
      }}
    >
      <h2 id="del-title">{t('profile.delete')}</h2>
      <p>{t('profile.delete_text')}</p>
      <FormMessage form={form} />
      <Field form={form} name="password" label={t('profile.current_password')} type="password" autocomplete="current-password" required />
      <div class="field field--check">
        <input
          id="del-confirm"
          type="checkbox"
          checked={form.values.value.confirm === true}
          onChange={(e) => form.set('confirm', (e.currentTarget as HTMLInputElement).checked)}
          aria-describedby={form.errors.value.confirm ? 'del-confirm-error' : undefined}
        />
        <label for="del-confirm">{t('profile.delete_confirm')}</label>
        {form.errors.value.confirm ? (
          <p class="field-error" id="del-confirm-error">
            {form.errors.value.confirm}
          </p>
        ) : null}
      </div>
      <div class="actions">
        <Submit form={form} kind="danger">
          {t('profile.delete_submit')}
        </Submit>
      </div>
    </form>
  );
}

/** A link to one's lessons and homework deadlines for a calendar app; shown once, as the server gives it. */
/** How often the digest by e-mail comes: never, daily or weekly. */
function Digest() {
  const settings = useLoad(() => api.get('/api/v1/me/digest'), []);
  const { busy, error, run } = useAction();
  const [chosen, setChosen] = useState<{ frequency: string; next_due_at?: string | null } | null>(null);
  if (!settings.data) return null;
  const current = chosen ?? settings.data;
  // Shown as chosen at once; the server's answer (with the next letter's time) follows,
  // or the choice before comes back with the error.
  const choose = (frequency: string) => {
    const before = current;
    setChosen({ frequency, next_due_at: null });
    return run(async () => {
      try {
        setChosen(await api.put('/api/v1/me/digest', undefined, { frequency }));
      } catch (e) {
        setChosen(before);
        throw e;
      }
    });
  };
  const options: [string, string][] = [
    ['off', t('profile.digest_off')],
    ['daily', t('profile.digest_daily')],
    ['weekly', t('profile.digest_weekly')],
  ];
  return (
    <section class="card" aria-labelledby="digest-title" data-digest={current.frequency}>
      <h2 id="digest-title">{t('profile.digest')}</h2>
      <p class="hint">{t('profile.digest_hint')}</p>
      {settings.data.email ? (
        <fieldset class="choices" disabled={busy}>
          <legend class="visually-hidden">{t('profile.digest')}</legend>
          {options.map(([value, label]) => (
            <label key={value} class="choice">
              <input type="radio" name="digest" value={value} checked={current.frequency === value} onChange={() => void choose(value)} /> {label}
            </label>
          ))}
        </fieldset>
      ) : (
        <p>{t('profile.digest_no_email')}</p>
      )}
      {current.next_due_at ? <p class="muted">{t('profile.digest_next', { when: dateTime(current.next_due_at) })}</p> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </section>
  );
}

function CalendarFeed() {
  const { busy, error, run } = useAction();
  const [link, setLink] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const get = () =>
    run(async () => {
      const feed = await api.post('/api/v1/me/calendar-feed', {});
      setLink(`${location.origin}${feed.path}`);
      setNote(null);
    });
  return (
    <section class="card" aria-labelledby="calendar-title">
      <h2 id="calendar-title">{t('profile.calendar')}</h2>
      <p class="hint">{t('profile.calendar_hint')}</p>
      {link ? (
        <div class="field">
          <label for="calendar-link">{t('profile.calendar_link')}</label>
          <input id="calendar-link" type="text" readOnly value={link} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        </div>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {note ? <Notice>{note}</Notice> : null}
      <div class="actions">
        <button type="button" class="btn btn--secondary" disabled={busy} onClick={get}>
          {link ? t('profile.calendar_new') : t('profile.calendar_get')}
        </button>
        {link ? (
          <button type="button" class="btn btn--link" onClick={() => void navigator.clipboard?.writeText(link).then(() => setNote(t('profile.calendar_copied')))}>
            {t('profile.calendar_copy')}
          </button>
        ) : null}
        <ConfirmButton
          kind="link"
          confirm={t('profile.calendar_off_q')}
          onConfirm={() =>
            run(async () => {
              await api.del('/api/v1/me/calendar-feed', {});
              setLink(null);
              setNote(t('profile.calendar_removed'));
            })
          }
        >
          {t('profile.calendar_off')}
        </ConfirmButton>
      </div>
    </section>
  );
}

/** One's own copy: the messages as JSON, or everything Parta holds about one as a zip. */
function MyData() {
  const { busy, error, run } = useAction();
  const everything = () =>
    run(async () => {
      const zip = await api.file('/api/v1/me/export');
      const url = URL.createObjectURL(zip);
      const a = document.createElement('a');
      a.href = url;
      a.download = `parta-data-${new Date().toISOString().slice(0, 10)}.zip`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });
  return (
    <section class="card" aria-labelledby="export-title">
      <h2 id="export-title">{t('profile.my_data')}</h2>
      <p class="hint">{t('profile.my_messages_hint')}</p>
      <div class="actions">
        <a class="btn btn--secondary" href="/api/v1/me/messages/export" download>
          {t('profile.my_messages_download')}
        </a>
        <button type="button" class="btn btn--primary" disabled={busy} onClick={() => void everything()}>
          {t('profile.my_data_download')}
        </button>
      </div>
      <p class="hint">{t('profile.my_data_hint')}</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
    </section>
  );
}

export function ProfilePage() {
  const m = me.value!;
  return (
    <div class="page">
      <PageTitle>{t('profile.title')}</PageTitle>
      <div class="grid">
        <section class="card" aria-labelledby="me-title">
          {m.photo_url ? <img class="me-photo" src={m.photo_url} alt="" width={64} height={64} /> : null}
          <h2 id="me-title">{fullName(m)}</h2>
          <dl class="facts">
            <dt>{t('person.email')}</dt>
            <dd>{m.email ?? '—'}</dd>
            <dt>{t('person.phone')}</dt>
            <dd>{m.phone ?? '—'}</dd>
            {m.is_operator ? (
              <>
                <dt>{t('profile.platform')}</dt>
                <dd>{t('role.operator')}</dd>
              </>
            ) : null}
          </dl>
        </section>
        {m.schools.map((s) => (
          <section class="card" key={s.org_id} aria-label={s.short_name}>
            <h2>{s.short_name}</h2>
            {roleBadges(s)}
            <ul class="plain">
              {s.places.map((p) => (
                <li key={p.membership_id}>
                  {placeText(p)} <span class="muted">· {t('profile.since_short', { date: day(p.started_on) })}</span>
                </li>
              ))}
              {s.class_teacher_of.map((c) => (
                <li key={`ct${c.id}`}>
                  {t('role.class_teacher')} — {c.name}
                </li>
              ))}
            </ul>
          </section>
        ))}
        <Lazy load={profileEdit} render={(c) => <c.ProfileEdit />} />
        {m.schools.length ? <CalendarFeed /> : null}
        {m.schools.length ? <Digest /> : null}
        {m.schools.length === 0 && !m.is_operator ? (
          <section class="card">
            <p>{t('profile.no_schools')}</p>
          </section>
        ) : null}
        <Children />
        <Consents />
        <Sessions />
        <Lazy load={sso} render={(c) => <c.SsoProfile />} />
        <MyData />
        <ChangePassword />
        <DeleteAccount />
      </div>
    </div>
  );
}
