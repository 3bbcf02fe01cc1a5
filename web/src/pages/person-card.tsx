// The person card: a person's name, role badges, the teacher's mark and classes, and
// «Написать» that opens (or finds) the direct chat when the school's rules allow it.
// Loaded on first use (pages/person.tsx opens it).
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Member, PersonRef } from '../api/types';
import { rememberChat } from '../chat/actions';
import { cardState, issuesSignInCode } from '../chat/person';
import { errorText, ErrorBox, InlineError, Loading, Modal } from '../components/ui';
import { fullName } from '../format';
import { t } from '../i18n';
import { navigate } from '../router';
import { api, me } from '../state';
import { className } from './entry';
import { RoleBadges } from './person';
import { openSignInCode } from './sign-in-code';

export function PersonCard({ orgId, person, onClose, onOpenChat }: { orgId: number; person: PersonRef; onClose: () => void; onOpenChat?: () => void }) {
  const [answer, setAnswer] = useState<{ member: Member } | { status: number; error: unknown } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api.get('/api/v1/orgs/{org_id}/members/{user_id}', { org_id: orgId, user_id: person.id }).then(
      (member) => live && setAnswer({ member }),
      (e: unknown) => live && setAnswer({ status: e instanceof ApiError ? e.status : 0, error: e }),
    );
    return () => {
      live = false;
    };
  }, [orgId, person.id]);
  const s = cardState(person, answer, me.value?.id ?? 0);
  const school = me.value?.schools.find((x) => x.org_id === orgId);
  const code = s.kind === 'shown' && !!school && issuesSignInCode(school, s.member, me.value?.id ?? 0);
  const write = async () => {
    setBusy(true);
    setError(null);
    try {
      const chat = await api.post('/api/v1/orgs/{org_id}/direct', { org_id: orgId }, { user_id: person.id });
      rememberChat(chat);
      onClose();
      onOpenChat?.();
      navigate(`/chats/${chat.id}`);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 404 ? t('person.no_write') : errorText(e));
      setBusy(false);
    }
  };
  return (
    <Modal title={fullName(s.kind === 'shown' ? s.member.person : s.name)} onClose={onClose} class="modal--person">
      <div class="person-card" data-user-id={person.id} data-state={s.kind}>
        {s.kind === 'loading' ? <Loading /> : null}
        {s.kind === 'hidden' ? <p>{t('person.hidden')}</p> : null}
        {s.kind === 'error' ? <ErrorBox error={s.error} /> : null}
        {s.kind === 'shown' ? (
          <>
            <p class="badges">
              <RoleBadges badges={s.badges} admin={s.member.is_admin} />
            </p>
            {s.places.length || s.classTeacherOf.length ? (
              <dl class="facts">
                {s.places.length ? (
                  <>
                    <dt>{t('person.classes')}</dt>
                    <dd>{s.places.map((p) => (p.child ? `${className(p.class.name, p.class.kind)} (${fullName(p.child)})` : className(p.class.name, p.class.kind))).join(', ')}</dd>
                  </>
                ) : null}
                {s.classTeacherOf.length ? (
                  <>
                    <dt>{t('role.class_teacher')}</dt>
                    <dd>{s.classTeacherOf.join(', ')}</dd>
                  </>
                ) : null}
              </dl>
            ) : null}
            {s.canWrite ? (
              <div class="actions">
                <button type="button" class="btn btn--primary" disabled={busy} onClick={() => void write()}>
                  {t('person.write')}
                </button>
              </div>
            ) : s.member.person.id !== me.value?.id ? (
              <p class="hint">{t('person.no_write')}</p>
            ) : null}
            <InlineError error={error} />
            {code ? (
              <div class="actions">
                <button type="button" class="btn btn--secondary" aria-haspopup="dialog" onClick={() => openSignInCode(orgId, person)}>
                  {t('members.sign_in_code')}
                </button>
              </div>
            ) : null}
          </>
        ) : null}
      </div>
    </Modal>
  );
}
