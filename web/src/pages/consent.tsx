// The consent boxes of the registration and join forms, each with its text to read.
import type { ConsentText, PersonRef } from '../api/types';
import { useId } from '../components/ui';
import type { ConsentBox } from '../consent';
import type { Form } from '../form';
import { fullName } from '../format';
import { t } from '../i18n';

function ConsentCheck({ form, name, label, text }: { form: Form<any>; name: ConsentBox; label: string; text: string }) {
  const id = useId(name);
  const error: string | undefined = form.errors.value[name];
  return (
    <div class={`field field--check consent${error ? ' field--error' : ''}`} data-consent={name}>
      <input
        id={id}
        type="checkbox"
        name={name}
        required
        checked={form.values.value[name] === true}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => form.set(name, (e.currentTarget as HTMLInputElement).checked)}
      />
      <label for={id}>
        {label}
        <span class="req" aria-hidden="true"> *</span>
      </label>
      <details class="consent-text">
        <summary>{name === 'consent' ? t('consent.text') : t('consent.text_child')}</summary>
        <p>{text}</p>
      </details>
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The boxes a form asks for, with the texts of `GET /api/v1/consent`. */
export function ConsentFields({ form, boxes, consent, child }: { form: Form<any>; boxes: ConsentBox[]; consent: ConsentText; child?: PersonRef | null }) {
  return (
    <>
      {boxes.map((b) =>
        b === 'consent' ? (
          <ConsentCheck key={b} form={form} name={b} label={t('consent.self')} text={consent.text_self} />
        ) : (
          <ConsentCheck
            key={b}
            form={form}
            name={b}
            label={child ? t('consent.child', { name: fullName(child) }) : t('consent.child_unnamed')}
            text={consent.text_child}
          />
        ),
      )}
    </>
  );
}
