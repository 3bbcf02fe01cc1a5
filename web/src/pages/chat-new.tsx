// «Новый чат»: a group chat with people chosen by name (any staff member), or a
// subject chat for a class one teaches (its students come from the class roll).
import { useEffect, useState } from 'preact/hooks';
import type { ClassRef, Member, MySchool } from '../api/types';
import { createChat } from '../chat/actions';
import { canCreateChats, teachableClasses } from '../chat/manage';
import { PeoplePicker } from '../components/people-picker';
import { Field, FormMessage, Modal, SelectField, showDialog, Submit, useForm, useId } from '../components/ui';
import { t } from '../i18n';
import { navigate } from '../router';
import { api, me } from '../state';

export function NewChatButton({ school }: { school: MySchool | null }) {
  if (!school || !canCreateChats(school)) return null;
  return (
    <button
      type="button"
      class="btn btn--primary btn--small new-chat"
      aria-haspopup="dialog"
      onClick={() => showDialog((close) => <NewChatDialog school={school} onClose={close} />)}
    >
      {t('chatmgmt.new_chat')}
    </button>
  );
}

/** Admins start subject chats for any class; teachers for the classes they teach. */
function useClasses(school: MySchool): ClassRef[] {
  const own = teachableClasses(school);
  const [all, setAll] = useState<ClassRef[] | null>(null);
  useEffect(() => {
    if (!school.is_admin) return;
    api.get('/api/v1/orgs/{org_id}/classes', { org_id: school.org_id }).then(
      (list) => setAll(list.filter((c) => c.kind !== 'staff_room').sort((a, b) => a.name.localeCompare(b.name, 'ru', { numeric: true }))),
      () => setAll(null),
    );
  }, [school.org_id, school.is_admin]);
  return all ?? own;
}

export function NewChatDialog({ school, onClose }: { school: MySchool; onClose: () => void }) {
  const kindName = useId('chat-kind');
  const classes = useClasses(school);
  const form = useForm({ kind: 'group', title: '', class_id: '' });
  const [chosen, setChosen] = useState<Member[]>([]);
  const kind = form.values.value.kind as 'group' | 'subject';
  const myId = me.value?.id ?? 0;
  const classOf = classes.find((c) => String(c.id) === form.values.value.class_id);

  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const chat = await form.submit((v) =>
      createChat(
        school.org_id,
        v.kind === 'subject'
          ? { kind: 'subject', title: String(v.title).trim(), ...(v.class_id ? { class_id: Number(v.class_id) } : {}) }
          : { kind: 'group', title: String(v.title).trim(), member_ids: chosen.map((m) => m.person.id) },
      ),
    );
    if (chat) {
      onClose();
      navigate(`/chats/${chat.id}`);
    }
  };

  return (
    <Modal title={t('chatmgmt.new_chat')} onClose={onClose} class="modal--new-chat">
      <form class="form" noValidate onSubmit={onSubmit}>
        <FormMessage form={form} />
        <fieldset>
          <legend>{t('chatmgmt.kind')}</legend>
          {(['group', 'subject'] as const).map((k) => (
            <div class="field field--check" key={k}>
              <input
                id={`${kindName}-${k}`}
                type="radio"
                name={kindName}
                value={k}
                checked={kind === k}
                disabled={k === 'subject' && !classes.length}
                aria-describedby={`${kindName}-${k}-hint`}
                onChange={() => form.set('kind', k)}
              />
              <label for={`${kindName}-${k}`}>{t(k === 'group' ? 'chatmgmt.kind_group' : 'chatmgmt.kind_subject')}</label>
              <p class="hint" id={`${kindName}-${k}-hint`}>
                {k === 'group' ? t('chatmgmt.kind_group_hint') : classes.length ? t('chatmgmt.kind_subject_hint') : t('chatmgmt.kind_subject_none')}
              </p>
            </div>
          ))}
        </fieldset>
        {kind === 'subject' ? (
          <>
            <SelectField
              form={form}
              name="class_id"
              label={t('chatmgmt.class')}
              required
              options={[{ value: '', label: t('common.choose') }, ...classes.map((c) => ({ value: String(c.id), label: c.name }))]}
            />
            <Field
              form={form}
              name="title"
              label={t('chatmgmt.subject')}
              required
              maxLength={100}
              hint={t('chatmgmt.subject_hint', { title: `${String(form.values.value.title).trim() || t('chatmgmt.subject_example')} — ${(classOf ?? classes[0])?.name ?? ''}` })}
            />
          </>
        ) : (
          <>
            <Field form={form} name="title" label={t('chatmgmt.title')} required maxLength={100} hint={t('chatmgmt.title_hint')} />
            <PeoplePicker orgId={school.org_id} exclude={[myId]} chosen={chosen} onChange={setChosen} label={t('chatmgmt.members_to_add')} />
          </>
        )}
        <div class="actions">
          <Submit form={form}>{t('chatmgmt.create')}</Submit>
          <button type="button" class="btn btn--secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
