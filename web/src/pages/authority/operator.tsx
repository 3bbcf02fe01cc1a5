// The operator's education authorities («Управления образования») and the platform's
// figures («Статистика платформы»): a lazy chunk beside the operator console.
import { useState } from 'preact/hooks';
import type { components } from '../../api/schema';
import { ConfirmButton, CopyField, ErrorBox, Field, FormMessage, InlineError, Loading, Notice, PageTitle, Submit, useAction, useForm, useId, useLoad } from '../../components/ui';
import { dateTime, fullName } from '../../format';
import { api } from '../../state';
import { OperatorTabs } from '../operator';
import { t, type Key } from './authority.strings';
import { PeriodDates, PeriodSwitch, type Period } from '../../stats/period';
import { activityRows, attachable, type SchoolOption } from './model';
import './authority.css';

type Authority = components['schemas']['Authority'];
type CuratorAdded = components['schemas']['CuratorAdded'];

export function AuthoritiesPage() {
  const list = useLoad(() => api.get('/api/v1/authorities'), []);
  const apps = useLoad(() => api.get('/api/v1/applications'), []);
  const [created, setCreated] = useState<string | null>(null);
  const form = useForm({ name: '', region: '' });
  // The schools the operator knows: those approved from applications, and those already in an authority.
  const schools: SchoolOption[] = [
    ...(apps.data ?? []).filter((a) => a.status === 'approved' && a.org_id != null).map((a) => ({ org_id: a.org_id!, short_name: a.short_name })),
    ...(list.data ?? []).flatMap((a) => a.schools),
  ];
  return (
    <div class="page">
      <PageTitle>{t('operator.title')}</PageTitle>
      <OperatorTabs current="authorities" />
      <section class="card" aria-labelledby="au-list-title">
        <h2 id="au-list-title">{t('au.list_title')}</h2>
        {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : null}
        {list.loading && !list.data ? <Loading /> : null}
        {list.data && !list.data.length ? <p>{t('au.list_none')}</p> : null}
        {list.data?.length ? (
          <div class="table-wrap" role="region" aria-labelledby="au-list-title" tabIndex={0}>
            <table class="table au-list">
              <thead>
                <tr>
                  <th scope="col">{t('au.col.name')}</th>
                  <th scope="col">{t('au.col.region')}</th>
                  <th scope="col">{t('au.col.schools')}</th>
                  <th scope="col">{t('au.col.curators')}</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((a) => (
                  <tr key={a.id} data-authority-id={a.id}>
                    <th scope="row">
                      <a href={`#authority-${a.id}`}>{a.name}</a>
                    </th>
                    <td>{a.region}</td>
                    <td>{a.schools.length ? a.schools.map((s) => s.short_name).join(', ') : t('au.none')}</td>
                    <td>{a.curators.length ? a.curators.map(fullName).join(', ') : t('au.none')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>

      <section class="card" aria-labelledby="au-create-title">
        <h2 id="au-create-title">{t('au.create_title')}</h2>
        {created ? <Notice>{created}</Notice> : null}
        <form
          class="form"
          noValidate
          onSubmit={async (e) => {
            e.preventDefault();
            const res = await form.submit((v) => api.post('/api/v1/authorities', undefined, { name: String(v.name).trim(), region: String(v.region).trim() }));
            if (res) {
              setCreated(t('au.created', { name: res.name }));
              form.reset();
              list.reload();
            }
          }}
        >
          <FormMessage form={form} />
          <Field form={form} name="name" label={t('au.name')} hint={t('au.name_hint')} required maxLength={300} />
          <Field form={form} name="region" label={t('au.region_field')} required maxLength={200} />
          <div class="actions">
            <Submit form={form}>{t('au.create')}</Submit>
          </div>
        </form>
      </section>

      {(list.data ?? []).map((a) => (
        <AuthorityCard key={a.id} authority={a} schools={schools} onChange={list.reload} />
      ))}
    </div>
  );
}

function AuthorityCard({ authority: a, schools, onChange }: { authority: Authority; schools: SchoolOption[]; onChange: () => void }) {
  const titleId = `authority-${a.id}`;
  const selectId = useId('attach');
  const options = attachable(schools, a);
  const [pick, setPick] = useState('');
  const attach = useAction();
  const detach = useAction();
  const remove = useAction();
  const [added, setAdded] = useState<CuratorAdded | null>(null);
  const curator = useForm({ family_name: '', given_name: '', patronymic: '', email: '' });
  const chosen = options.find((s) => String(s.org_id) === pick) ?? options[0];
  return (
    <section class="card authority-card" aria-labelledby={titleId} data-authority-id={a.id}>
      <h2 id={titleId} tabIndex={-1}>
        {a.name}
      </h2>
      <p class="muted">{t('au.region', { region: a.region })}</p>
      <p>
        <a class="btn btn--secondary" href={`/authority/${a.id}`} aria-label={t('au.open_named', { name: a.name })}>
          {t('au.open')}
        </a>
      </p>

      <h3>{t('au.schools_title')}</h3>
      {a.schools.length ? (
        <ul class="list">
          {a.schools.map((s) => (
            <li key={s.org_id} class="list-item" data-org-id={s.org_id}>
              <div>{s.short_name}</div>
              <ConfirmButton
                confirm={t('au.detach_confirm')}
                onConfirm={() =>
                  detach.run(async () => {
                    await api.del('/api/v1/authorities/{authority_id}/schools/{org_id}', { authority_id: a.id, org_id: s.org_id });
                    onChange();
                  })
                }
              >
                <span aria-hidden="true">{t('au.detach')}</span>
                <span class="visually-hidden">{t('au.detach_named', { name: s.short_name })}</span>
              </ConfirmButton>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('au.none')}</p>
      )}
      <InlineError error={detach.error} />
      {options.length ? (
        <div class="field attach-row">
          <label for={selectId}>{t('au.attach_pick')}</label>
          <div class="copy-row">
            <select id={selectId} value={String(chosen?.org_id ?? '')} onChange={(e) => setPick((e.currentTarget as HTMLSelectElement).value)} aria-describedby={`${selectId}-hint`}>
              {options.map((s) => (
                <option key={s.org_id} value={String(s.org_id)}>
                  {s.short_name}
                </option>
              ))}
            </select>
            <button
              type="button"
              class="btn btn--secondary"
              disabled={attach.busy || !chosen}
              onClick={() =>
                attach.run(async () => {
                  await api.put('/api/v1/authorities/{authority_id}/schools/{org_id}', { authority_id: a.id, org_id: chosen!.org_id });
                  setPick('');
                  onChange();
                })
              }
            >
              {t('au.attach')}
            </button>
          </div>
          <p class="hint" id={`${selectId}-hint`}>
            {t('au.attach_hint')}
          </p>
          <InlineError error={attach.error} />
        </div>
      ) : (
        <p class="muted">{t('au.attach_none')}</p>
      )}

      <h3>{t('au.curators_title')}</h3>
      {a.curators.length ? (
        <ul class="list">
          {a.curators.map((c) => (
            <li key={c.id} class="list-item" data-curator-id={c.id}>
              <div>{fullName(c)}</div>
              <ConfirmButton
                confirm={t('au.curator_remove_confirm')}
                onConfirm={() =>
                  remove.run(async () => {
                    await api.del('/api/v1/authorities/{authority_id}/curators/{user_id}', { authority_id: a.id, user_id: c.id });
                    onChange();
                  })
                }
              >
                <span aria-hidden="true">{t('au.curator_remove')}</span>
                <span class="visually-hidden">{t('au.curator_remove_named', { name: fullName(c) })}</span>
              </ConfirmButton>
            </li>
          ))}
        </ul>
      ) : (
        <p>{t('au.curators_none')}</p>
      )}
      <InlineError error={remove.error} />
      {added ? (
        <div class="curator-added" role="status">
          <p>{t('au.curator_added', { name: fullName(added.curator) })}</p>
          {added.code ? (
            <div class="alert alert--info">
              <h4>{t('au.code_title')}</h4>
              <p>{t('au.code_note', { until: dateTime(added.code_expires_at) })}</p>
              <CopyField value={added.code} label={t('au.code')} />
              <CopyField value={`${location.origin}/set-password?token=${encodeURIComponent(added.code)}`} label={t('au.code_link')} />
            </div>
          ) : null}
        </div>
      ) : null}
      <details class="au-add" open={a.curators.length === 0 || undefined}>
        <summary>{t('au.curator_add')}</summary>
        <form
          class="form"
          noValidate
          aria-label={t('au.curator_add')}
          onSubmit={async (e) => {
            e.preventDefault();
            const res = await curator.submit((v) =>
              api.post(
                '/api/v1/authorities/{authority_id}/curators',
                { authority_id: a.id },
                {
                  family_name: String(v.family_name).trim(),
                  given_name: String(v.given_name).trim(),
                  patronymic: String(v.patronymic).trim() || null,
                  email: String(v.email).trim(),
                },
              ),
            );
            if (res) {
              setAdded(res);
              curator.reset();
              onChange();
            }
          }}
        >
          <p class="hint">{t('au.curator_add_hint')}</p>
          <FormMessage form={curator} />
          <Field form={curator} name="family_name" label={t('au.family')} required autocomplete="off" maxLength={100} />
          <Field form={curator} name="given_name" label={t('au.given')} required autocomplete="off" maxLength={100} />
          <Field form={curator} name="patronymic" label={t('au.patronymic')} autocomplete="off" maxLength={100} />
          <Field form={curator} name="email" label={t('au.email')} type="email" required autocomplete="off" maxLength={254} />
          <div class="actions">
            <Submit form={curator}>{t('au.curator_add')}</Submit>
          </div>
        </form>
      </details>
    </section>
  );
}

export function PlatformPage() {
  const [period, setPeriod] = useState<Period>('month');
  const s = useLoad(() => api.get('/api/v1/statistics', { period }), [period]);
  const d = s.data;
  const counts: [Key, number][] = d
    ? [
        ['au.p.schools', d.schools],
        ['au.p.authorities', d.authorities],
        ['au.p.in_authorities', d.schools_in_authorities],
        ['au.p.curators', d.curators],
        ['au.p.students', d.students],
        ['au.p.parents', d.parents],
        ['au.p.staff', d.staff],
      ]
    : [];
  return (
    <div class="page">
      <PageTitle>{t('operator.title')}</PageTitle>
      <OperatorTabs current="statistics" />
      <section class="card" aria-labelledby="pl-title">
        <h2 id="pl-title">{t('au.platform_title')}</h2>
        <p>{t('au.platform_lead')}</p>
        <PeriodSwitch value={period} onChange={setPeriod} />
        {s.error ? <ErrorBox error={s.error} onRetry={s.reload} /> : null}
        {s.loading && !d ? <Loading /> : null}
        {d ? <PeriodDates period={d.period} /> : null}
      </section>
      {d ? (
        <>
          <section class="card" aria-labelledby="pl-people">
            <h2 id="pl-people">{t('au.people_title')}</h2>
            <dl class="au-tiles">
              {counts.map(([k, v]) => (
                <div key={k} class="au-tile">
                  <dt>{t(k)}</dt>
                  <dd data-figure={k.slice(5)}>{v.toLocaleString('ru-RU')}</dd>
                </div>
              ))}
            </dl>
          </section>
          <section class="card" aria-labelledby="pl-active">
            <h2 id="pl-active">{t('au.active_title')}</h2>
            <div class="table-wrap" role="region" aria-labelledby="pl-active" tabIndex={0}>
              <table class="table platform-active">
                <caption>{t('au.active_caption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('au.col.group')}</th>
                    <th scope="col">{t('au.col.people')}</th>
                    <th scope="col">{t('au.col.daily')}</th>
                    <th scope="col">{t('au.col.weekly')}</th>
                  </tr>
                </thead>
                <tbody>
                  {activityRows(d.activity, d.previous_activity).map((r) => (
                    <tr key={r.group} data-group={r.group}>
                      <th scope="row">{t(`au.group.${r.group}` as Key)}</th>
                      <td>{r.people}</td>
                      {[r.daily, r.weekly].map((c, i) => (
                        <td key={i}>
                          <strong>{c.now}</strong>{' '}
                          <span class={`au-change au-change--${c.change.trend}`}>{c.change.text}</span>
                          <div class="muted">{t('au.col.before', { value: c.before })}</div>
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ) : null}
    </div>
  );
}
