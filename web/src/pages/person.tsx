// A person's name that opens their card, and the badges beside a name. The card itself
// (pages/person-card.tsx) is loaded on first use.
import type { ComponentChildren } from 'preact';
import type { PersonRef } from '../api/types';
import type { PersonBadges } from '../chat/person';
import { Badge, showDialog } from '../components/ui';
import { t, tk } from '../i18n';

/** Opens the person card; `onOpenChat` runs when «Написать» leads away (to close a panel). */
export function openPersonCard(orgId: number, person: PersonRef, onOpenChat?: () => void): void {
  void import('./person-card').then(({ PersonCard }) =>
    showDialog((close) => <PersonCard orgId={orgId} person={person} onClose={close} onOpenChat={onOpenChat} />),
  );
}

/** A name as a button that opens the person's card. */
export function PersonButton({ orgId, person, onOpenChat, children }: { orgId: number; person: PersonRef; onOpenChat?: () => void; children: ComponentChildren }) {
  return (
    <button type="button" class="person-link" aria-haspopup="dialog" onClick={() => openPersonCard(orgId, person, onOpenChat)}>
      {children}
    </button>
  );
}

/**
 * Role badges and the teacher's mark. `compact` (a list on a phone): the short role
 * names, and the mark as «✓» whose name is read out; an unverified teacher gets no mark.
 */
export function RoleBadges({ badges, admin, compact }: { badges: PersonBadges; admin?: boolean; compact?: boolean }) {
  return (
    <>
      {admin ? <Badge kind="admin">{t('role.admin')}</Badge> : null}
      {badges.roles.map((r) => (
        <Badge key={r} kind={r}>
          {compact && r === 'parent' ? t('role_short.parent') : tk('role', r)}
        </Badge>
      ))}
      {badges.verification === 'verified' ? (
        compact ? (
          <span class="badge badge--verified" title={t('member.verified')}>
            <span aria-hidden="true">✓</span>
            <span class="visually-hidden">{t('member.verified')}</span>
          </span>
        ) : (
          <Badge kind="verified">✓ {t('member.verified')}</Badge>
        )
      ) : badges.verification === 'unverified' && !compact ? (
        <Badge kind="warn">{t('member.not_verified')}</Badge>
      ) : null}
    </>
  );
}
