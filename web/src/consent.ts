// Consent to the processing of personal data (152-ФЗ) on the registration and join forms:
// which boxes a form asks for, what it sends, and where a refusal is shown.
import { ApiError } from './api/client';

/** The boxes of a form: `consent` (one's own data), `consent_child` (a parent's link: the child's). */
export type ConsentBox = 'consent' | 'consent_child';

/**
 * The boxes a form shows: registering asks for one's own consent, and by a parent's link
 * for the child's too; joining with an account asks only for the child's (a parent's link).
 */
export function consentBoxes(flow: 'register' | 'accept', parentLink: boolean): ConsentBox[] {
  if (flow === 'register') return parentLink ? ['consent', 'consent_child'] : ['consent'];
  return parentLink ? ['consent_child'] : [];
}

/** The version to send: the current one once every box is ticked, otherwise none (the server refuses). */
export function consentVersion(boxes: ConsentBox[], ticked: Partial<Record<ConsentBox, boolean | string>>, version: string | null | undefined): string | null {
  if (!boxes.length || !version) return null;
  return boxes.every((b) => ticked[b] === true) ? version : null;
}

/**
 * Moves the server's `consent_version` field error to the boxes: an unticked box gets its
 * «required» message; with every box ticked (an outdated text) the first box gets the «outdated» one.
 */
export function placeConsentError(
  e: unknown,
  boxes: ConsentBox[],
  ticked: Partial<Record<ConsentBox, boolean | string>>,
  text: { required: string; required_child: string; outdated: string },
): unknown {
  if (!(e instanceof ApiError) || !('consent_version' in e.fields) || !boxes.length) return e;
  const fields: Record<string, string> = {};
  const codes: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.fields)) if (k !== 'consent_version') fields[k] = v;
  for (const [k, v] of Object.entries(e.fieldCodes)) if (k !== 'consent_version') codes[k] = v;
  const unticked = boxes.filter((b) => ticked[b] !== true);
  const code = e.fieldCodes.consent_version ?? 'required';
  if (unticked.length && code !== 'outdated') {
    for (const b of unticked) {
      fields[b] = b === 'consent_child' ? text.required_child : text.required;
      codes[b] = 'required';
    }
  } else {
    fields[boxes[0]!] = text.outdated;
    codes[boxes[0]!] = 'outdated';
  }
  return new ApiError(e.status, e.code, e.detail, fields, codes);
}

/** Whether a refusal says the consent text changed since it was loaded (load it again). */
export function consentOutdated(e: unknown): boolean {
  return e instanceof ApiError && e.fieldCodes.consent_version === 'outdated';
}
