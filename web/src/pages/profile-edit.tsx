// Editing one's profile: the photo (with a preview before it is saved), the name
// (disabled, with why, while a school keeps names to its register), a new e-mail or
// phone confirmed by the code sent to it (a phone is refused in the server's words
// where it sends no SMS), and the language. Also an admin's «Исправить ФИО» dialog.
// A chunk of its own, with profile.strings.ts.
import { useState } from 'preact/hooks';
import type { ContactChangePending, Me, Member } from '../api/types';
import { ConfirmButton, Field, FormMessage, InlineError, Modal, Notice, showDialog, Submit, useAction, useForm } from '../components/ui';
import { optional } from '../form';
import { fullName } from '../format';
import { lang } from '../i18n';
import { api, chooseLanguage, me, setMe } from '../state';
import { t } from './profile.strings';
import './profile.css';

export function ProfileEdit() {
  return (
    <>
      <PhotoCard />
      <NameCard />
      <ContactCard kind="email" />
      <ContactCard kind="phone" />
      <LanguageCard />
    </>
  );
}

/** Reads a chosen file as a `data:` URL (the page's policy allows no `blob:` images). */
function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function PhotoCard() {
  const m = me.value!;
  const { busy, error, run } = useAction();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const choose = async (chosen: File | null) => {
    setNote(null);
    setFile(chosen);
    setPreview(chosen ? await readAsDataUrl(chosen).catch(() => null) : null);
  };
  const save = () =>
    run(async () => {
      if (!file) return;
      const form = new FormData();
      form.append('file', file);
      setMe((await api.raw('PUT', '/api/v1/me/photo', undefined, undefined, form)) as Me);
      setFile(null);
      setPreview(null);
      setNote(t('pe.photo_saved'));
    });
  return (
    <section class="card profile-photo" aria-labelledby="photo-title" data-photo={m.photo_url ? 'yes' : 'no'}>
      <h2 id="photo-title">{t('pe.photo')}</h2>
      <p class="hint">{t('pe.photo_hint')}</p>
      <div class="photo-row">
        {m.photo_url ? (
          <img class="photo" src={m.photo_url} alt={t('pe.photo_current')} width={96} height={96} />
        ) : (
          <p class="photo photo--none muted">{t('pe.photo_none')}</p>
        )}
        {preview ? <img class="photo photo--preview" src={preview} alt={t('pe.photo_preview')} width={96} height={96} /> : null}
      </div>
      <div class="field">
        <label for="photo-file">{t('pe.photo_choose')}</label>
        <input
          id="photo-file"
          type="file"
          accept="image/jpeg,image/png,image/webp,image/gif"
          onChange={(e) => void choose((e.currentTarget as HTMLInputElement).files?.[0] ?? null)}
        />
      </div>
      {note ? <Notice>{note}</Notice> : null}
      <InlineError error={error} />
      <div class="actions">
        <button type="button" class="btn btn--primary" disabled={!file || busy} aria-busy={busy || undefined} onClick={() => void save()}>
          {t('pe.photo_save')}
        </button>
        {m.photo_url ? (
          <ConfirmButton
            kind="link"
            confirm={t('pe.photo_remove_q')}
            onConfirm={() =>
              run(async () => {
                setMe(await api.del('/api/v1/me/photo'));
                setNote(t('pe.photo_removed'));
              })
            }
          >
            {t('pe.photo_remove')}
          </ConfirmButton>
        ) : null}
      </div>
    </section>
  );
}

function NameCard() {
  const m = me.value!;
  const form = useForm({ family_name: m.family_name, given_name: m.given_name, patronymic: m.patronymic ?? '' });
  const [ok, setOk] = useState(false);
  const locked = m.names_locked;
  return (
    <form
      class="card form"
      aria-labelledby="name-title"
      noValidate
      data-names-locked={locked ? 'yes' : 'no'}
      onSubmit={async (e) => {
        e.preventDefault();
        setOk(false);
        const done = await form.submit(async (v) => {
          const next = await api.put('/api/v1/me/name', undefined, {
            family_name: String(v.family_name),
            given_name: String(v.given_name),
            patronymic: optional(v.patronymic),
          });
          setMe(next);
          return next;
        });
        if (done) {
          form.reset({ family_name: done.family_name, given_name: done.given_name, patronymic: done.patronymic ?? '' });
          setOk(true);
        }
      }}
    >
      <h2 id="name-title">{t('pe.name')}</h2>
      {locked ? <Notice kind="info">{t('pe.name_locked')}</Notice> : null}
      {ok ? <Notice>{t('pe.name_saved')}</Notice> : null}
      <FormMessage form={form} />
      <fieldset class="plain-fieldset" disabled={locked}>
        <legend class="visually-hidden">{t('pe.name')}</legend>
        <Field form={form} name="family_name" label={t('pe.family_name')} autocomplete="family-name" required />
        <Field form={form} name="given_name" label={t('pe.given_name')} autocomplete="given-name" required />
        <Field form={form} name="patronymic" label={t('pe.patronymic')} autocomplete="additional-name" />
        <div class="actions">
          <Submit form={form}>{t('pe.name_save')}</Submit>
        </div>
      </fieldset>
    </form>
  );
}

/** A new e-mail (with the current password) or phone: asked, then confirmed by its code. */
function ContactCard({ kind }: { kind: 'email' | 'phone' }) {
  const m = me.value!;
  const current = kind === 'email' ? m.email : m.phone;
  const ask = useForm({ value: '', current_password: '' });
  const confirm = useForm({ code: '' });
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const id = `contact-${kind}`;
  return (
    <section class="card form" aria-labelledby={`${id}-title`} data-contact={kind} data-step={sentTo ? 'code' : 'ask'}>
      <h2 id={`${id}-title`}>{t(kind === 'email' ? 'pe.email' : 'pe.phone')}</h2>
      <p class="muted">{t('pe.now', { value: current ?? t('pe.not_set') })}</p>
      {done ? <Notice>{t(kind === 'email' ? 'pe.email_changed' : 'pe.phone_changed')}</Notice> : null}
      {!sentTo ? (
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            setDone(false);
            const pending = await ask.submit<ContactChangePending>((v) =>
              kind === 'email'
                ? api.post('/api/v1/me/email', undefined, { email: String(v.value), current_password: String(v.current_password) })
                : api.post('/api/v1/me/phone', undefined, { phone: String(v.value) }),
            );
            if (pending) {
              confirm.reset();
              setSentTo(pending.sent_to);
            }
          }}
        >
          <FormMessage form={ask} />
          <Field
            form={ask}
            name="value"
            label={t(kind === 'email' ? 'pe.email_new' : 'pe.phone_new')}
            type={kind === 'email' ? 'email' : 'tel'}
            autocomplete={kind === 'email' ? 'email' : 'tel'}
            hint={t(kind === 'email' ? 'pe.email_hint' : 'pe.phone_hint')}
            required
          />
          {kind === 'email' ? (
            <Field form={ask} name="current_password" label={t('profile.current_password')} type="password" autocomplete="current-password" required />
          ) : null}
          <div class="actions">
            <Submit form={ask}>{t('pe.send_code')}</Submit>
          </div>
        </form>
      ) : (
        <form
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            const next = await confirm.submit<Me>((v) =>
              api.post(kind === 'email' ? '/api/v1/me/email/confirm' : '/api/v1/me/phone/confirm', undefined, { code: String(v.code) }),
            );
            if (next) {
              setMe(next);
              ask.reset();
              setSentTo(null);
              setDone(true);
            }
            // Otherwise the server's words stay shown (a wrong code at the field; an
            // expired or spent one says to ask again, which the link below does).
          }}
        >
          <Notice kind="info">{t('pe.code_sent', { to: sentTo })}</Notice>
          <FormMessage form={confirm} />
          <Field
            form={confirm}
            name="code"
            label={t(kind === 'email' ? 'pe.code_email' : 'pe.code_phone')}
            inputMode="numeric"
            autocomplete="one-time-code"
            maxLength={7}
            required
          />
          <div class="actions">
            <Submit form={confirm}>{t('pe.confirm')}</Submit>
            <button type="button" class="btn btn--link" onClick={() => setSentTo(null)}>
              {t('pe.resend')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function LanguageCard() {
  const options: ['ru' | 'en', string][] = [
    ['ru', 'Русский'],
    ['en', 'English'],
  ];
  return (
    <section class="card" aria-labelledby="lang-title" data-language={me.value?.language}>
      <h2 id="lang-title">{t('pe.language')}</h2>
      <p class="hint">{t('pe.language_hint')}</p>
      <fieldset class="choices">
        <legend class="visually-hidden">{t('pe.language')}</legend>
        {options.map(([value, label]) => (
          <label key={value} class="choice" lang={value}>
            <input type="radio" name="language" value={value} checked={lang.value === value} onChange={() => void chooseLanguage(value)} /> {label}
          </label>
        ))}
      </fieldset>
    </section>
  );
}

/** «Исправить ФИО»: an admin writes a member's name as the school's register has it. */
export function openNameFix(orgId: number, member: Member, onDone: () => void): void {
  showDialog((close) => <NameFixDialog orgId={orgId} member={member} onClose={close} onDone={onDone} />);
}

function NameFixDialog({ orgId, member, onClose, onDone }: { orgId: number; member: Member; onClose: () => void; onDone: () => void }) {
  const p = member.person;
  const form = useForm({ family_name: p.family_name, given_name: p.given_name, patronymic: p.patronymic ?? '' });
  const [done, setDone] = useState(false);
  return (
    <Modal title={t('pe.fix_title')} onClose={onClose} class="modal--name-fix">
      <form
        class="form"
        noValidate
        data-user-id={p.id}
        onSubmit={async (e) => {
          e.preventDefault();
          const ok = await form.submit((v) =>
            api.put(
              '/api/v1/orgs/{org_id}/members/{user_id}/name',
              { org_id: orgId, user_id: p.id },
              { family_name: String(v.family_name), given_name: String(v.given_name), patronymic: optional(v.patronymic) },
            ),
          );
          if (ok) {
            setDone(true);
            onDone();
          }
        }}
      >
        <p>{t('pe.fix_lead', { name: fullName(p) })}</p>
        {done ? <Notice>{t('pe.fix_done')}</Notice> : null}
        <FormMessage form={form} />
        <Field form={form} name="family_name" label={t('pe.family_name')} required />
        <Field form={form} name="given_name" label={t('pe.given_name')} required />
        <Field form={form} name="patronymic" label={t('pe.patronymic')} />
        <div class="actions">
          <Submit form={form}>{t('common.save')}</Submit>
          <button type="button" class="btn btn--secondary" onClick={onClose}>
            {done ? t('common.close') : t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
