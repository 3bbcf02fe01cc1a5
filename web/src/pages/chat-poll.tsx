// Polls: voting (one or several options, anonymous or not), the results and closing a
// poll; and the form that makes one.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Chat, ChatMember, Message, Poll } from '../api/types';
import { errorText, InlineError, useAction, useId } from '../components/ui';
import { closePoll, createPoll, vote } from '../chat/store';
import { t, tn } from '../i18n';
import { me } from '../state';
import { nameOf } from './chat-text';

export function PollView({ m, poll, chat, members: list }: { m: Message; poll: Poll; chat: Chat; members: ChatMember[] | undefined }) {
  const myId = me.value?.id ?? 0;
  const [choice, setChoice] = useState<number[]>(poll.my_option_ids);
  const { busy, error, run: act } = useAction();
  const name = useId('poll');
  useEffect(() => setChoice(poll.my_option_ids), [poll.my_option_ids.join(',')]);
  const total = poll.options.reduce((a, o) => a + o.votes, 0);
  const voted = poll.my_option_ids.length > 0;
  const kinds = [poll.anonymous ? t('chats.poll_kind_anonymous') : '', poll.multiple ? t('chats.poll_kind_multiple') : ''].filter(Boolean);
  return (
    <div class="poll" data-poll-id={poll.id} data-closed={poll.closed ? 'true' : 'false'}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act(() => vote(chat.id, m.id, poll.id, choice));
        }}
      >
        <fieldset disabled={poll.closed || busy}>
          <legend class="poll-question">
            {m.body}
            {kinds.length ? <span class="muted"> ({kinds.join(', ')})</span> : null}
          </legend>
          <ul class="poll-options">
            {poll.options.map((o) => {
              const pct = total ? Math.round((o.votes * 100) / total) : 0;
              const checked = choice.includes(o.id);
              const names = poll.anonymous ? [] : o.voter_ids.map((u) => (u === myId ? t('chats.you') : nameOf(list, u)));
              return (
                <li key={o.id} class="poll-option" data-option-id={o.id} data-votes={o.votes}>
                  <label class="poll-choice">
                    <input
                      type={poll.multiple ? 'checkbox' : 'radio'}
                      name={name}
                      checked={checked}
                      onChange={(e) => {
                        const on = (e.currentTarget as HTMLInputElement).checked;
                        setChoice(poll.multiple ? (on ? [...choice, o.id] : choice.filter((x) => x !== o.id)) : [o.id]);
                      }}
                    />
                    <span class="poll-text">{o.text}</span>
                    <span class="poll-count">
                      {tn('chats.poll_votes', o.votes)} · {pct} %
                      {poll.my_option_ids.includes(o.id) ? ` · ${t('chats.poll_your_choice')}` : ''}
                    </span>
                  </label>
                  <span class="poll-bar" aria-hidden="true">
                    <span style={{ width: `${pct}%` }} />
                  </span>
                  {names.length ? <span class="poll-names">{names.join(', ')}</span> : null}
                </li>
              );
            })}
          </ul>
        </fieldset>
        <p class="muted poll-summary">
          {tn('chats.poll_voters', poll.voters)}
          {poll.closed ? ` · ${t('chats.poll_closed')}` : ''}
        </p>
        <div class="actions">
          {!poll.closed ? (
            <button type="submit" class="btn btn--primary btn--small" disabled={busy || choice.length === 0}>
              {voted ? t('chats.poll_revote') : t('chats.poll_vote')}
            </button>
          ) : null}
          {!poll.closed && (m.sender.id === myId || chat.abilities.moderate_posts) ? (
            <button type="button" class="btn btn--secondary btn--small" disabled={busy} onClick={() => act(() => closePoll(chat.id, m.id, poll.id))}>
              {t('chats.poll_close')}
            </button>
          ) : null}
        </div>
      </form>
      <InlineError error={error} />
    </div>
  );
}

export function PollForm({ chat, onDone }: { chat: Chat; onDone: () => void }) {
  const qid = useId('poll-q');
  const mid = useId('poll-multiple');
  const aid = useId('poll-anon');
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState<string[]>(['', '']);
  const [multiple, setMultiple] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const qRef = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => qRef.current?.focus(), []);
  const submit = async () => {
    const opts = options.map((o) => o.trim()).filter(Boolean);
    if (!question.trim() || opts.length < 2) {
      setError(t('chats.poll_need_options'));
      return;
    }
    setBusy(true);
    try {
      await createPoll(chat.id, { question: question.trim(), options: opts, multiple, anonymous });
      onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      class="poll-form card"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{t('chats.poll_new')}</h3>
      <div class="field">
        <label for={qid}>{t('chats.poll_question')}</label>
        <input id={qid} value={question} maxLength={300} ref={qRef} onInput={(e) => setQuestion((e.currentTarget as HTMLInputElement).value)} />
      </div>
      {options.map((o, i) => (
        <PollOptionField
          key={i}
          n={i + 1}
          value={o}
          canRemove={options.length > 2}
          onInput={(v) => setOptions(options.map((x, j) => (j === i ? v : x)))}
          onRemove={() => setOptions(options.filter((_, j) => j !== i))}
        />
      ))}
      {options.length < 10 ? (
        <button type="button" class="btn btn--link" onClick={() => setOptions([...options, ''])}>
          + {t('chats.poll_add_option')}
        </button>
      ) : null}
      <div class="field field--check">
        <input id={mid} type="checkbox" checked={multiple} onChange={(e) => setMultiple((e.currentTarget as HTMLInputElement).checked)} />
        <label for={mid}>{t('chats.poll_multiple')}</label>
      </div>
      <div class="field field--check">
        <input id={aid} type="checkbox" checked={anonymous} onChange={(e) => setAnonymous((e.currentTarget as HTMLInputElement).checked)} />
        <label for={aid}>{t('chats.poll_anonymous')}</label>
      </div>
      {error ? (
        <div class="alert alert--error" role="alert">
          {error}
        </div>
      ) : null}
      <div class="actions">
        <button type="submit" class="btn btn--primary" disabled={busy}>
          {t('chats.poll_create')}
        </button>
        <button type="button" class="btn btn--secondary" onClick={onDone}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function PollOptionField({ n, value, canRemove, onInput, onRemove }: { n: number; value: string; canRemove: boolean; onInput: (v: string) => void; onRemove: () => void }) {
  const id = useId('poll-opt');
  return (
    <div class="field poll-opt-field">
      <label for={id}>{t('chats.poll_option', { n })}</label>
      <div class="copy-row">
        <input id={id} value={value} maxLength={200} onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)} />
        {canRemove ? (
          <button type="button" class="btn btn--link" aria-label={t('chats.poll_remove_option', { n })} onClick={onRemove}>
            ✕
          </button>
        ) : null}
      </div>
    </div>
  );
}
