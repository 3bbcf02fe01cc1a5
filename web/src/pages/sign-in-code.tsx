// «Выдать код для входа»: a class teacher or an admin gives a person without e-mail a
// one-time code to set a new password with at /set-password. A dialog that asks first,
// then shows the code once — large, with whom it is for and until when it works, and
// «Скопировать». Loaded on first use, with recovery.strings.ts.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PersonRef, SignInCode } from '../api/types';
import { errorText, InlineError, Modal, showDialog } from '../components/ui';
import { dateTime, fullName } from '../format';
import { api } from '../state';
import { t } from './recovery.strings';
import './recovery.css';

/** Opens the dialog (in place of any other: the person card gives way to it). */
export function openSignInCode(orgId: number, person: PersonRef): void {
  showDialog((close) => <SignInCodeDialog orgId={orgId} person={person} onClose={close} />);
}

export function SignInCodeDialog({ orgId, person, onClose }: { orgId: number; person: PersonRef; onClose: () => void }) {
  const [issued, setIssued] = useState<SignInCode | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const codeRef = useRef<HTMLParagraphElement>(null);
  const name = fullName(issued?.person ?? person);
  useEffect(() => {
    if (issued) codeRef.current?.focus();
  }, [issued]);

  const issue = async () => {
    setBusy(true);
    setError(null);
    try {
      setIssued(await api.post('/api/v1/orgs/{org_id}/members/{user_id}/sign-in-code', { org_id: orgId, user_id: person.id }));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const copy = async () => {
    if (!issued) return;
    try {
      await navigator.clipboard.writeText(issued.code);
    } catch {
      const range = document.createRange();
      if (codeRef.current) range.selectNodeContents(codeRef.current);
      const sel = getSelection();
      sel?.removeAllRanges();
      sel?.addRange(range);
      document.execCommand?.('copy');
    }
    setCopied(true);
  };

  if (!issued)
    return (
      <Modal title={t('sic.ask_title')} onClose={onClose} class="modal--sign-in-code">
        <div class="sign-in-code" data-user-id={person.id} data-state="ask">
          <p>{t('sic.ask', { name })}</p>
          <InlineError error={error} />
          <div class="actions">
            <button type="button" class="btn btn--primary" disabled={busy} aria-busy={busy || undefined} onClick={() => void issue()}>
              {t('sic.confirm')}
            </button>
            <button type="button" class="btn btn--secondary" onClick={onClose}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      </Modal>
    );

  const where = `${location.origin}/set-password`;
  return (
    <Modal title={t('sic.title')} onClose={onClose} class="modal--sign-in-code">
      <div class="sign-in-code" data-user-id={person.id} data-state="shown">
        <dl class="facts">
          <dt>{t('sic.for')}</dt>
          <dd>{name}</dd>
          <dt>{t('sic.until')}</dt>
          <dd>{dateTime(issued.expires_at)}</dd>
        </dl>
        <p class="sic-code-label" id="sic-code-label">
          {t('sic.code')}
        </p>
        <p class="sic-code" tabIndex={-1} ref={codeRef} aria-labelledby="sic-code-label sic-code-value" translate={false}>
          <span id="sic-code-value" data-code={issued.code}>
            {issued.code}
          </span>
        </p>
        <p class="alert alert--info sic-once">{t('sic.once')}</p>
        <p class="hint">{t('sic.where', { url: where })}</p>
        <div class="actions">
          <button type="button" class="btn btn--secondary" onClick={() => void copy()}>
            {t('sic.copy')}
          </button>
          <button type="button" class="btn btn--primary" onClick={onClose}>
            {t('sic.done')}
          </button>
        </div>
        <p class="hint" role="status">
          {copied ? t('sic.copied') : ''}
        </p>
      </div>
    </Modal>
  );
}
