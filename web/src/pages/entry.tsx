import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { InvitePreview, JoinOutcome } from '../api/types';
import { chunk, Field, FormMessage, Lazy, Loading, Notice, PageTitle, SelectField, Submit, useForm, useLoad, ErrorBox } from '../components/ui';
import { dateTime, fullName } from '../format';
import { optional, type Form } from '../form';
import { consentBoxes, consentOutdated, consentVersion, placeConsentError } from '../consent';
import { ConsentFields } from './consent';
import { lang, t, tk, type Key } from '../i18n';
import { navigate, queryParam } from '../router';
import { api, chooseLanguage, homePath, login, loadMe, logout, me, chooseSchool } from '../state';

/** Signing in with an external service: a chunk of its own, drawn under the forms. */
const ssoChunk = chunk(() => import('./sso'));

export function LoginPage() {
  const form = useForm({ login: '', password: '' });
  const next = queryParam(location.search, 'next');
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const user = await form.submit((v) => login(String(v.login).trim(), String(v.password)));
    if (user) navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : homePath(user), true);
  };
  return (
    <div class="narrow">
      <PageTitle>{t('login.title')}</PageTitle>
      {queryParam(location.search, 'deleted') ? <Notice>{t('login.deleted')}</Notice> : null}
      {queryParam(location.search, 'sso_error') ? <Lazy load={ssoChunk} render={(m) => <m.ErrorFromQuery />} /> : null}
      <form class="card form" onSubmit={onSubmit} noValidate>
        <FormMessage form={form} />
        <Field form={form} name="login" label={t('login.login')} autocomplete="username" required hint={t('login.login_hint')} />
        <Field form={form} name="password" label={t('login.password')} type="password" autocomplete="current-password" required />
        <div class="actions">
          <Submit form={form}>{t('login.submit')}</Submit>
          <a class="forgot-link" href="/forgot-password">
            {t('login.forgot')}
          </a>
        </div>
      </form>
      <Lazy load={ssoChunk} render={(m) => <m.SsoLogin />} />
      <p class="aside">
        {t('login.no_account')} <a href="/apply">{t('apply.link')}</a>
      </p>
    </div>
  );
}

const INVITE_ERRORS: Record<string, { title: Key; text: Key }> = {
  invite_expired: { title: 'join.expired.title', text: 'join.expired.text' },
  invite_revoked: { title: 'join.revoked.title', text: 'join.revoked.text' },
  invite_used_up: { title: 'join.used_up.title', text: 'join.used_up.text' },
  invite_child_left: { title: 'join.child_left.title', text: 'join.child_left.text' },
  invite_not_found: { title: 'join.not_found.title', text: 'join.not_found.text' },
};

function DeadLink({ code }: { code: string }) {
  const info = INVITE_ERRORS[code] ?? INVITE_ERRORS.invite_not_found!;
  return (
    <div class="narrow" data-invite-state={code}>
      <PageTitle>{t(info.title)}</PageTitle>
      <div class="card">
        <p>{t(info.text)}</p>
        <p>
          <a href="/">{t('join.to_home')}</a>
        </p>
      </div>
    </div>
  );
}

function isDeadLink(e: unknown): e is ApiError {
  return e instanceof ApiError && e.code in INVITE_ERRORS;
}

/** A parent by their own register link whose children have not joined yet: registered, the school opens later. */
function Waiting({ preview, registered }: { preview: InvitePreview; registered: boolean }) {
  const children = preview.for_person?.children ?? [];
  const text =
    children.length > 1
      ? t('join.waiting.text_several', { children: children.join(', ') })
      : children.length
        ? t('join.waiting.text_children', { children: children[0]! })
        : t('join.waiting.text');
  return (
    <div class="narrow" data-join-outcome="waiting_for_child">
      <PageTitle>{registered ? t('join.waiting.title') : t('join.waiting.title_accepted')}</PageTitle>
      <div class="card">
        <p>{text}</p>
        <button type="button" class="btn btn--primary" onClick={() => navigate(me.value ? '/profile' : '/')}>
          {t('join.go_profile')}
        </button>
      </div>
    </div>
  );
}

function Outcome({ outcome, preview, registered }: { outcome: JoinOutcome; preview: InvitePreview; registered: boolean }) {
  if (outcome.status === 'waiting_for_child') return <Waiting preview={preview} registered={registered} />;
  const joined = outcome.status === 'joined';
  return (
    <div class="narrow" data-join-outcome={outcome.status}>
      <PageTitle>{joined ? t('join.joined.title') : t('join.pending.title')}</PageTitle>
      <div class="card">
        <p>
          {joined
            ? t('join.joined.text', { school: preview.school.short_name, class: className(preview.class.name, preview.class.kind) })
            : t('join.pending.text', { school: preview.school.short_name })}
        </p>
        <button
          type="button"
          class="btn btn--primary"
          onClick={() => {
            if (joined) chooseSchool(outcome.org_id);
            const m = me.value;
            navigate(m ? (joined ? homePath(m) : '/profile') : '/');
          }}
        >
          {joined ? t('join.go_school') : t('join.go_profile')}
        </button>
      </div>
    </div>
  );
}

export function className(name: string, kind: string): string {
  return kind === 'staff_room' ? t('class.staff_room') : name;
}

function PreviewCard({ p }: { p: InvitePreview }) {
  const person = p.for_person;
  return (
    <div class="card invite-preview">
      {person ? <p class="invite-personal">{t('join.personal')}</p> : null}
      <dl class="facts">
        {person ? (
          <>
            <dt>{t('join.for_person')}</dt>
            <dd data-for-person>{fullName(person)}</dd>
          </>
        ) : null}
        <dt>{t('join.school')}</dt>
        <dd>{p.school.name}</dd>
        <dt>{t('join.class')}</dt>
        <dd>{className(p.class.name, p.class.kind)}</dd>
        <dt>{t('join.role')}</dt>
        <dd>{p.grants_admin ? t('join.role_admin') : tk('role', p.role)}</dd>
        {p.child ? (
          <>
            <dt>{t('join.child')}</dt>
            <dd>{fullName(p.child)}</dd>
          </>
        ) : null}
        {person?.children.length ? (
          <>
            <dt>{t('join.children')}</dt>
            <dd data-children>{person.children.join(', ')}</dd>
          </>
        ) : null}
        <dt>{t('join.valid_until')}</dt>
        <dd>{dateTime(p.expires_at)}</dd>
      </dl>
      {p.requires_approval ? <p class="hint">{t('join.needs_approval')}</p> : null}
    </div>
  );
}

export function JoinPage({ token }: { token: string }) {
  const preview = useLoad(() => api.get('/api/v1/invites/{token}', { token }), [token]);
  const [outcome, setOutcome] = useState<JoinOutcome | null>(null);
  /** Whether the outcome came with a new account (not an existing one accepting the link). */
  const [registered, setRegistered] = useState(false);
  const [dead, setDead] = useState<string | null>(null);
  const [mode, setMode] = useState<'register' | 'login'>('register');
  const consent = useLoad(() => api.get('/api/v1/consent'), []);
  const reg = useForm({ family_name: '', given_name: '', patronymic: '', phone: '', email: '', password: '', consent: false as boolean, consent_child: false as boolean });
  const log = useForm({ login: '', password: '' });
  const acceptForm = useForm({ consent_child: false as boolean });
  // A person's own link from the register: the name as the school has it, to check.
  const forPerson = preview.data?.for_person;
  useEffect(() => {
    if (!forPerson) return;
    reg.set('family_name', forPerson.family_name);
    reg.set('given_name', forPerson.given_name);
    reg.set('patronymic', forPerson.patronymic ?? '');
  }, [forPerson]);

  if (dead) return <DeadLink code={dead} />;
  if (preview.loading || (consent.loading && !consent.data)) return <Loading />;
  if (preview.error) {
    if (isDeadLink(preview.error)) return <DeadLink code={preview.error.code} />;
    return <ErrorBox error={preview.error} onRetry={preview.reload} />;
  }
  if (consent.error || !consent.data) return <ErrorBox error={consent.error} onRetry={consent.reload} />;
  const p = preview.data!;
  const texts = consent.data;
  if (outcome) return <Outcome outcome={outcome} preview={p} registered={registered} />;
  const parentLink = !!p.child;
  const regBoxes = consentBoxes('register', parentLink);
  const acceptBoxes = consentBoxes('accept', parentLink);
  /** A refusal of the consent shows at its box; a changed text is loaded again and asked anew. */
  const consentError = (err: unknown, boxes: typeof regBoxes, ticked: Record<string, string | boolean>, form: Form<any>) => {
    if (consentOutdated(err)) {
      consent.reload();
      for (const b of boxes) form.set(b, false);
    }
    return placeConsentError(err, boxes, ticked, {
      required: t('consent.required'),
      required_child: t('consent.required_child'),
      outdated: t('consent.outdated'),
    });
  };

  const finish = async (o: JoinOutcome) => {
    await loadMe();
    setOutcome(o);
  };

  const accept = async () => {
    await acceptForm.submit(async (v) => {
      try {
        const version = consentVersion(acceptBoxes, v, texts.version);
        const o = await api.post('/api/v1/invites/accept', undefined, version ? { token, consent_version: version } : { token });
        await finish(o);
      } catch (e) {
        if (isDeadLink(e)) setDead(e.code);
        else throw consentError(e, acceptBoxes, v, acceptForm);
      }
    });
  };

  const onRegister = async (e: Event) => {
    e.preventDefault();
    await reg.submit(async (v) => {
      try {
        const r = await api.post('/api/v1/auth/register', undefined, {
          invite_token: token,
          family_name: String(v.family_name).trim(),
          given_name: String(v.given_name).trim(),
          patronymic: optional(v.patronymic),
          phone: optional(v.phone),
          email: optional(v.email),
          password: String(v.password),
          consent_version: consentVersion(regBoxes, v, texts.version),
        });
        api.setCsrf(r.session.csrf_token);
        me.value = r.session.user;
        // The language chosen while registering is the new account's.
        if (r.session.user.language !== lang.value) void chooseLanguage(lang.value);
        setRegistered(true);
        await finish(r.join);
      } catch (err) {
        if (isDeadLink(err)) setDead(err.code);
        else if (err instanceof ApiError && 'consent_version' in err.fields) throw consentError(err, regBoxes, v, reg);
        // A contact that has an account makes the form its login: say how to go on.
        else if (err instanceof ApiError && err.code === 'invalid_credentials')
          throw new ApiError(err.status, err.code, t('join.register_as_login'));
        else throw err;
      }
    });
  };

  const onLogin = async (e: Event) => {
    e.preventDefault();
    const user = await log.submit((v) => login(String(v.login).trim(), String(v.password)));
    if (user) await accept();
  };

  const heading = (
    <PageTitle>
      {p.grants_admin ? t('join.title_admin') : t('join.title', { school: p.school.short_name })}
    </PageTitle>
  );

  if (me.value) {
    return (
      <div class="narrow">
        {heading}
        <PreviewCard p={p} />
        <div class="card">
          <p>{t('join.as_user', { name: fullName(me.value) })}</p>
          <FormMessage form={acceptForm} />
          <ConsentFields form={acceptForm} boxes={acceptBoxes} consent={texts} child={p.child} />
          <div class="actions">
            <button type="button" class="btn btn--primary" disabled={acceptForm.busy.value} onClick={accept}>
              {t('join.accept')}
            </button>
            <button type="button" class="btn btn--secondary" onClick={() => void logout()}>
              {t('join.not_me')}
            </button>
          </div>
        </div>
      </div>
    );
  }

  return (
    <div class="narrow">
      {heading}
      <PreviewCard p={p} />
      {mode === 'register' ? (
        <form class="card form" onSubmit={onRegister} noValidate aria-labelledby="reg-title">
          <h2 id="reg-title">{t('join.register_title')}</h2>
          <FormMessage form={reg} />
          {p.for_person ? <p class="hint">{t('join.prefilled')}</p> : null}
          <Field form={reg} name="family_name" label={t('person.family_name')} autocomplete="family-name" required />
          <Field form={reg} name="given_name" label={t('person.given_name')} autocomplete="given-name" required />
          <Field form={reg} name="patronymic" label={t('person.patronymic')} autocomplete="additional-name" />
          <p class="hint">{t('join.contact_hint')}</p>
          <Field form={reg} name="phone" label={t('person.phone')} type="tel" autocomplete="tel" inputMode="tel" />
          <Field form={reg} name="email" label={t('person.email')} type="email" autocomplete="email" />
          <Field
            form={reg}
            name="password"
            label={t('person.choose_password')}
            type="password"
            autocomplete="new-password"
            required
            hint={t('person.password_hint')}
          />
          <ConsentFields form={reg} boxes={regBoxes} consent={texts} child={p.child} />
          <div class="actions">
            <Submit form={reg}>{p.requires_approval ? t('join.register_request') : t('join.register_submit')}</Submit>
            <button type="button" class="btn btn--link" onClick={() => setMode('login')}>
              {t('join.have_account')}
            </button>
          </div>
          <Lazy
            load={ssoChunk}
            render={(m) => <m.SsoJoin token={token} consentVersion={() => consentVersion(regBoxes, reg.values.value, texts.version)} />}
          />
        </form>
      ) : (
        <form class="card form" onSubmit={onLogin} noValidate aria-labelledby="log-title">
          <h2 id="log-title">{t('join.login_title')}</h2>
          <FormMessage form={log} />
          <FormMessage form={acceptForm} />
          <Field form={log} name="login" label={t('login.login')} autocomplete="username" required hint={t('login.login_hint')} />
          <Field form={log} name="password" label={t('login.password')} type="password" autocomplete="current-password" required />
          <ConsentFields form={acceptForm} boxes={acceptBoxes} consent={texts} child={p.child} />
          <div class="actions">
            <Submit form={log}>{t('join.login_submit')}</Submit>
            <button type="button" class="btn btn--link" onClick={() => setMode('register')}>
              {t('join.no_account')}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

/** Russia's time zones, west to east. */
export const TIME_ZONES = [
  'Europe/Kaliningrad',
  'Europe/Moscow',
  'Europe/Samara',
  'Asia/Yekaterinburg',
  'Asia/Omsk',
  'Asia/Novosibirsk',
  'Asia/Krasnoyarsk',
  'Asia/Irkutsk',
  'Asia/Yakutsk',
  'Asia/Vladivostok',
  'Asia/Magadan',
  'Asia/Kamchatka',
];

export function timeZoneOptions() {
  return TIME_ZONES.map((z) => ({ value: z, label: tk('tz', z) }));
}

export function ApplyPage() {
  const form = useForm(
    {
      school_name: '',
      short_name: '',
      address: '',
      inn: '',
      ogrn: '',
      region: '',
      time_zone: 'Europe/Moscow',
      authority: '',
      admin_family_name: '',
      admin_given_name: '',
      admin_patronymic: '',
      admin_email: '',
      admin_phone: '',
      order: '',
    },
  );
  const [file, setFile] = useState<File | null>(null);
  const [done, setDone] = useState<number | null>(null);
  const fileError = form.errors.value.order;

  if (done !== null)
    return (
      <div class="narrow" data-application-id={done}>
        <PageTitle>{t('apply.done_title')}</PageTitle>
        <div class="card">
          <p>{t('apply.done_text', { id: done })}</p>
          <p>
            <a href="/">{t('join.to_home')}</a>
          </p>
        </div>
      </div>
    );

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const res = await form.submit(async (v) => {
      const data = new FormData();
      for (const [k, val] of Object.entries(v)) {
        if (k === 'order') continue;
        const s = String(val).trim();
        if ((k === 'admin_patronymic' || k === 'authority') && !s) continue;
        data.append(k, s);
      }
      if (file) data.append('order', file, file.name);
      return api.postForm('/api/v1/applications', data);
    });
    if (res) setDone(res.id);
  };

  return (
    <div class="narrow">
      <PageTitle>{t('apply.title')}</PageTitle>
      <p class="lead">{t('apply.lead')}</p>
      <form class="card form" onSubmit={onSubmit} noValidate>
        <FormMessage form={form} />
        <fieldset>
          <legend>{t('apply.school')}</legend>
          <Field form={form} name="school_name" label={t('school.name')} required hint={t('school.name_hint')} />
          <Field form={form} name="short_name" label={t('school.short_name')} required hint={t('school.short_name_hint')} />
          <Field form={form} name="address" label={t('school.address')} autocomplete="street-address" required />
          <Field form={form} name="region" label={t('school.region')} required />
          <SelectField form={form} name="time_zone" label={t('school.time_zone')} options={timeZoneOptions()} required />
          <Field form={form} name="inn" label={t('school.inn')} inputMode="numeric" required hint={t('school.inn_hint')} />
          <Field form={form} name="ogrn" label={t('school.ogrn')} inputMode="numeric" required hint={t('school.ogrn_hint')} />
          <Field form={form} name="authority" label={t('apply.authority')} hint={t('apply.authority_hint')} maxLength={300} />
        </fieldset>
        <fieldset>
          <legend>{t('apply.admin')}</legend>
          <Field form={form} name="admin_family_name" label={t('person.family_name')} required />
          <Field form={form} name="admin_given_name" label={t('person.given_name')} required />
          <Field form={form} name="admin_patronymic" label={t('person.patronymic')} />
          <Field form={form} name="admin_email" label={t('person.email')} type="email" required />
          <Field form={form} name="admin_phone" label={t('person.phone')} type="tel" inputMode="tel" required />
          <div class={`field${fileError ? ' field--error' : ''}`}>
            <label for="apply-order">
              {t('apply.order')}
              <span class="req" aria-hidden="true"> *</span>
            </label>
            <input
              id="apply-order"
              type="file"
              name="order"
              accept="application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
              required
              aria-invalid={fileError ? true : undefined}
              aria-describedby={`apply-order-hint${fileError ? ' apply-order-error' : ''}`}
              onChange={(e) => {
                setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null);
                form.set('order', '');
              }}
            />
            <p class="hint" id="apply-order-hint">
              {t('apply.order_hint')}
            </p>
            {fileError ? (
              <p class="field-error" id="apply-order-error">
                {fileError}
              </p>
            ) : null}
          </div>
        </fieldset>
        <div class="actions">
          <Submit form={form}>{t('apply.submit')}</Submit>
        </div>
      </form>
    </div>
  );
}

/**
 * «Новый пароль»: the token from a letter's link (`?token=`, filled in) or a sign-in code
 * typed by hand, as a class teacher or an admin gave it (case, dashes and spaces do not
 * matter to the server).
 */
export function SetPasswordPage() {
  const token = queryParam(location.search, 'token') ?? '';
  const form = useForm({ token, password: '' });
  const [done, setDone] = useState(false);
  if (done)
    return (
      <div class="narrow">
        <PageTitle>{t('setpw.done')}</PageTitle>
        <Notice>
          {t('setpw.done_text')} <a href="/login">{t('login.submit')}</a>
        </Notice>
      </div>
    );
  return (
    <div class="narrow">
      <PageTitle>{t('setpw.title')}</PageTitle>
      <form
        class="card form"
        noValidate
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await form.submit(async (v) => {
            await api.post('/api/v1/auth/set-password', undefined, { token: String(v.token).trim(), password: String(v.password) });
            return true;
          });
          if (ok) setDone(true);
        }}
      >
        <FormMessage form={form} />
        {token ? (
          <Field form={form} name="token" label={t('setpw.link_code')} required autocomplete="one-time-code" />
        ) : (
          <Field form={form} name="token" label={t('setpw.code')} required autocomplete="one-time-code" hint={t('setpw.code_hint')} />
        )}
        <Field form={form} name="password" label={t('person.new_password')} type="password" autocomplete="new-password" required hint={t('person.password_hint')} />
        <div class="actions">
          <Submit form={form}>{t('setpw.submit')}</Submit>
        </div>
      </form>
    </div>
  );
}
