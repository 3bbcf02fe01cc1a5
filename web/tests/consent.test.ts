import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import { consentBoxes, consentOutdated, consentVersion, placeConsentError } from '../src/consent';

const text = { required: 'нужно согласие', required_child: 'нужно согласие за ребёнка', outdated: 'текст изменился' };

describe('consentBoxes', () => {
  it('asks for one’s own consent at registration, and the child’s too by a parent’s link', () => {
    expect(consentBoxes('register', false)).toEqual(['consent']);
    expect(consentBoxes('register', true)).toEqual(['consent', 'consent_child']);
  });
  it('asks an account joining by a link only for the child’s consent, and only by a parent’s link', () => {
    expect(consentBoxes('accept', true)).toEqual(['consent_child']);
    expect(consentBoxes('accept', false)).toEqual([]);
  });
});

describe('consentVersion', () => {
  it('sends the version once every box is ticked', () => {
    expect(consentVersion(['consent'], { consent: true }, '2026-12-01')).toBe('2026-12-01');
    expect(consentVersion(['consent', 'consent_child'], { consent: true, consent_child: true }, 'v2')).toBe('v2');
  });
  it('sends none while a box is not ticked, or when nothing is asked', () => {
    expect(consentVersion(['consent', 'consent_child'], { consent: true, consent_child: false }, 'v2')).toBeNull();
    expect(consentVersion(['consent'], {}, 'v2')).toBeNull();
    expect(consentVersion([], { consent: true }, 'v2')).toBeNull();
    expect(consentVersion(['consent'], { consent: true }, undefined)).toBeNull();
  });
});

describe('placeConsentError', () => {
  const refusal = (code: string) =>
    new ApiError(422, 'validation_failed', 'Проверьте заполнение полей.', { family_name: 'Обязательное поле.', consent_version: 'Обязательное поле.' }, { family_name: 'required', consent_version: code });
  it('puts «required» at every unticked box and keeps the other fields', () => {
    const e = placeConsentError(refusal('required'), ['consent', 'consent_child'], { consent: true, consent_child: false }, text) as ApiError;
    expect(e.fields).toEqual({ family_name: 'Обязательное поле.', consent_child: 'нужно согласие за ребёнка' });
    expect(e.fieldCodes.consent_child).toBe('required');
    expect(e.detail).toBe('Проверьте заполнение полей.');
    const both = placeConsentError(refusal('required'), ['consent', 'consent_child'], {}, text) as ApiError;
    expect([both.fields.consent, both.fields.consent_child]).toEqual(['нужно согласие', 'нужно согласие за ребёнка']);
  });
  it('puts «outdated» at the first box when the text changed', () => {
    const e = placeConsentError(refusal('outdated'), ['consent', 'consent_child'], { consent: true, consent_child: true }, text) as ApiError;
    expect(e.fields.consent).toBe('текст изменился');
    expect(e.fields.consent_child).toBeUndefined();
    expect(consentOutdated(refusal('outdated'))).toBe(true);
    expect(consentOutdated(refusal('required'))).toBe(false);
  });
  it('leaves other refusals alone', () => {
    const other = new ApiError(403, 'forbidden', 'Нельзя.');
    expect(placeConsentError(other, ['consent'], {}, text)).toBe(other);
    const plain = new Error('network');
    expect(placeConsentError(plain, ['consent'], {}, text)).toBe(plain);
  });
});
