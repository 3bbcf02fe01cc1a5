// A person's picture beside their messages: initials on a colour of their own. The API
// has no photos yet; `photo` is where one goes when it has.
import type { PersonRef } from '../api/types';

/** Colours (see `.avatar--N` in styles.css), each dark enough for white initials. */
export const AVATAR_COLOURS = 8;

/** «МИ» for Мария Иванова: the given name's letter, then the family name's. */
export function initials(p: Pick<PersonRef, 'given_name' | 'family_name'>): string {
  return `${p.given_name?.charAt(0) ?? ''}${p.family_name?.charAt(0) ?? ''}`.toUpperCase() || '?';
}

/** A colour that follows the person (by id), so they look the same in every chat. */
export function avatarColour(id: number): number {
  // Knuth's multiplicative hash: neighbouring ids get far-apart colours (top 3 bits: 8).
  return Math.imul(id, 2654435761) >>> 29;
}

/** Decorative: the name is written beside it. */
export function Avatar({ person, photo }: { person: PersonRef; photo?: string | null }) {
  if (photo) return <img class="avatar" src={photo} alt="" width={32} height={32} />;
  return (
    <span class={`avatar avatar--${avatarColour(person.id)}`} aria-hidden="true">
      {initials(person)}
    </span>
  );
}
