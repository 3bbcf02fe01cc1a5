// The message a reply answers, quoted: its author and first line, on the reply (a press
// jumps to it) and above the composer while replying.
import type { Message } from '../api/types';
import { plainText } from '../chat/rich';
import { shortName } from '../format';
import { t } from '../i18n';

/** The first line with text in it, as a quote shows it. */
export function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').trim();
}

/** What a quote says of a message: its first line, or what stands for it. */
export function quoteText(m: Message): string {
  if (m.deleted) return t('chats.deleted');
  if (m.poll) return t('chats.poll_prefix', { question: m.body });
  return firstLine(plainText(m.rich, m.body)) || m.attachments.map((f) => f.name).join(', ');
}

/** The quote on a reply; `quoted` null: not loaded (older), found by the jump. */
export function Quote({ quoted, onJump }: { quoted: Message | null; onJump: () => void }) {
  return (
    <blockquote class="quote">
      <button type="button" class="quote-jump" title={t('chats.quote_jump')} onClick={onJump}>
        {quoted ? (
          <>
            <span class="quote-who">{shortName(quoted.sender)}</span>
            <span class="quote-text">{quoteText(quoted)}</span>
          </>
        ) : (
          <span class="quote-text">{t('chats.quote_missing')}</span>
        )}
      </button>
    </blockquote>
  );
}
