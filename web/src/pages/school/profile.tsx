// The school's profile and settings: its details, join approval, student safe mode
// (and supervision), names only as the school's register has them, and quiet hours.
import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { School } from '../../api/types';
import { CheckField, Field, FormMessage, Notice, SelectField, Submit, useForm } from '../../components/ui';
import type { Form, Values } from '../../form';
import { dateTime } from '../../format';
import { t } from '../../i18n';
import { api, loadMe } from '../../state';
import { rememberSchool } from '../../chat/store';
import { timeZoneOptions } from '../entry';

export function ProfileTab({ school, onSaved }: { school: School; onSaved: () => void }) {
  const form = useForm({
    name: school.name,
    short_name: school.short_name,
    address: school.address,
    region: school.region,
    time_zone: school.time_zone,
    inn: school.inn,
    ogrn: school.ogrn,
    join_approval_required: school.join_approval_required,
    student_safe_mode: school.student_safe_mode,
    students_supervised: school.student_safe_mode && school.students_supervised,
    push_previews: school.push_previews,
    names_locked: school.names_locked,
    quiet_on: !!school.quiet_hours,
    quiet_from: school.quiet_hours?.from ?? '21:00',
    quiet_to: school.quiet_hours?.to ?? '07:00',
  }, { 'quiet_hours.from': 'quiet_from', 'quiet_hours.to': 'quiet_to', quiet_hours: 'quiet_from' });
  const [saved, setSaved] = useState(false);
  const quietOn = form.values.value.quiet_on === true;
  return (
    <form
      class="card form"
      noValidate
      aria-labelledby="sp-title"
      onSubmit={async (e) => {
        e.preventDefault();
        setSaved(false);
        const v0 = form.values.value;
        if (v0.quiet_on === true && String(v0.quiet_from) === String(v0.quiet_to)) {
          form.fail(new ApiError(422, 'local', '', { 'quiet_hours.to': t('console.quiet_same') }));
          return;
        }
        const ok = await form.submit(async (v) => {
          const next = await api.patch('/api/v1/orgs/{org_id}', { org_id: school.id }, {
            name: String(v.name).trim(),
            short_name: String(v.short_name).trim(),
            address: String(v.address).trim(),
            region: String(v.region).trim(),
            time_zone: String(v.time_zone),
            inn: String(v.inn).trim(),
            ogrn: String(v.ogrn).trim(),
            join_approval_required: v.join_approval_required === true,
            student_safe_mode: v.student_safe_mode === true,
            // Supervision means nothing without safe mode: turning that off turns it off too.
            students_supervised: v.student_safe_mode === true && v.students_supervised === true,
            push_previews: v.push_previews === true,
            names_locked: v.names_locked === true,
            quiet_hours: v.quiet_on === true ? { from: String(v.quiet_from), to: String(v.quiet_to) } : null,
          });
          rememberSchool(next);
          return true;
        });
        if (ok) {
          setSaved(true);
          onSaved();
          void loadMe();
        }
      }}
    >
      <h2 id="sp-title">{t('console.profile_title')}</h2>
      {saved ? <Notice>{t('common.saved')}</Notice> : null}
      <FormMessage form={form} />
      <Field form={form} name="name" label={t('school.name')} required />
      <Field form={form} name="short_name" label={t('school.short_name')} required />
      <Field form={form} name="address" label={t('school.address')} required />
      <Field form={form} name="region" label={t('school.region')} required />
      <SelectField form={form} name="time_zone" label={t('school.time_zone')} options={timeZoneOptions()} required />
      <Field form={form} name="inn" label={t('school.inn')} inputMode="numeric" required />
      <Field form={form} name="ogrn" label={t('school.ogrn')} inputMode="numeric" required />
      <h3>{t('console.settings')}</h3>
      <CheckField form={form} name="join_approval_required" label={t('console.join_approval')} hint={t('console.join_approval_hint')} />
      <CheckField form={form} name="student_safe_mode" label={t('console.safe_mode')} hint={t('console.safe_mode_hint')} />
      <SupervisedField form={form} />
      <CheckField form={form} name="push_previews" label={t('console.push_previews')} hint={t('console.push_previews_hint')} />
      <CheckField form={form} name="names_locked" label={t('console.names_locked')} hint={t('console.names_locked_hint')} />
      <fieldset class="quiet-hours" aria-describedby="quiet-hint">
        <legend>{t('console.quiet')}</legend>
        <p class="hint" id="quiet-hint">
          {t('console.quiet_hint')}
        </p>
        <p class="muted quiet-status" data-quiet={school.quiet_hours ? `${school.quiet_hours.from}-${school.quiet_hours.to}` : 'off'}>
          {school.quiet_hours ? t('console.quiet_now', { from: school.quiet_hours.from, to: school.quiet_hours.to }) : t('console.quiet_off')}
        </p>
        <CheckField form={form} name="quiet_on" label={t('console.quiet_on')} />
        {quietOn ? (
          <div class="row">
            <Field form={form} name="quiet_from" label={t('console.quiet_from')} type="time" required />
            <Field form={form} name="quiet_to" label={t('console.quiet_to')} type="time" required />
          </div>
        ) : null}
      </fieldset>
      <p class="muted">{t('console.created', { at: dateTime(school.created_at, school.time_zone) })}</p>
      <div class="actions">
        <Submit form={form}>{t('common.save')}</Submit>
      </div>
    </form>
  );
}

/** «Only with a teacher present»: a stricter safe mode, so it is offered only with safe mode on. */
function SupervisedField<T extends Values & { student_safe_mode: boolean; students_supervised: boolean }>({ form }: { form: Form<T> }) {
  const safe = form.values.value.student_safe_mode === true;
  return (
    <div class="field field--check field--sub" data-supervised={safe && form.values.value.students_supervised === true ? 'on' : 'off'}>
      <input
        id="students-supervised"
        type="checkbox"
        checked={safe && form.values.value.students_supervised === true}
        disabled={!safe}
        aria-describedby="students-supervised-hint"
        onChange={(e) => form.set('students_supervised', (e.currentTarget as HTMLInputElement).checked as T['students_supervised'])}
      />
      <label for="students-supervised">{t('console.supervised')}</label>
      <p class="hint" id="students-supervised-hint">
        {safe ? t('console.supervised_hint') : `${t('console.supervised_hint')} ${t('console.supervised_needs_safe')}`}
      </p>
    </div>
  );
}
