// «Уведомления на этом устройстве»: turning web push on for this browser (the browser
// asks the person first), what it tells of, turning it off; and one's other devices.
import { useEffect, useState } from 'preact/hooks';
import type { PushDevice } from '../../api/types';
import { errorText, Notice } from '../../components/ui';
import { dateTime, shortAgent } from '../../format';
import { t } from '../../notifications/notifications.strings';
import { devices, PUSH_KINDS, setKinds, subscribe, unsubscribe, type PushState } from '../../notifications/push';

export function PushSettings() {
  const [state, setState] = useState<PushState | null>(null);
  const [here, setHere] = useState<PushDevice | null>(null);
  const [others, setOthers] = useState<PushDevice[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    devices().then(
      (d) => {
        setState(d.state);
        setHere(d.here);
        setOthers(d.all.filter((x) => x.id !== d.here?.id));
      },
      (e) => setError(errorText(e)),
    );
  }, [tick]);

  const act = async (f: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await f();
    } catch (e) {
      setError(t('push.failed', { error: errorText(e) }));
    } finally {
      setBusy(false);
    }
  };
  const turnOn = () =>
    act(async () => {
      const made = await subscribe();
      if (made === 'denied') setState('denied');
      else setTick((x) => x + 1);
    });
  // Shown as chosen at once; the server's answer follows, or the choice before comes back.
  const toggle = (kind: string, on: boolean) => {
    if (!here) return;
    const before = here;
    const off = on ? here.kinds_off.filter((k) => k !== kind) : [...here.kinds_off, kind];
    setHere({ ...here, kinds_off: off });
    return act(async () => {
      try {
        setHere(await setKinds(before, off));
      } catch (e) {
        setHere(before);
        throw e;
      }
    });
  };

  if (state === null && !error) return null;
  return (
    <section class="card nt-push" aria-labelledby="nt-push-h" data-push={state ?? 'error'}>
      <h2 id="nt-push-h">{t('push.title')}</h2>
      <p class="muted">{t('push.lead')}</p>
      {state === 'unsupported' ? <Notice kind="info">{t('push.unsupported')}</Notice> : null}
      {state === 'denied' ? <Notice kind="info">{t('push.denied')}</Notice> : null}
      {state === 'off' ? (
        <button type="button" class="btn btn--primary" disabled={busy} onClick={() => void turnOn()}>
          {t('push.turn_on')}
        </button>
      ) : null}
      {state === 'on' && here ? (
        <>
          <p role="status">{t('push.on')}</p>
          <fieldset class="nt-kinds">
            <legend>{t('push.kinds')}</legend>
            {PUSH_KINDS.map((kind) => (
              <div key={kind} class="field field--check">
                <input
                  id={`push-${kind}`}
                  type="checkbox"
                  checked={!here.kinds_off.includes(kind)}
                  onChange={(e) => void toggle(kind, (e.currentTarget as HTMLInputElement).checked)}
                />
                <label for={`push-${kind}`}>{t(`push.kind.${kind}` as const)}</label>
              </div>
            ))}
          </fieldset>
          <p class="hint">{t('push.kinds_hint')}</p>
          <button type="button" class="btn btn--secondary" disabled={busy} onClick={() => void act(async () => { await unsubscribe(here); setTick((x) => x + 1); })}>
            {t('push.turn_off')}
          </button>
        </>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {others.length ? (
        <>
          <h3>{t('push.others')}</h3>
          <ul class="nt-devices">
            {others.map((d) => (
              <li key={d.id} data-device={d.id}>
                <span>
                  {d.user_agent ? shortAgent(d.user_agent) : t('push.unknown_device')}, {t('push.device_since', { date: dateTime(d.created_at) })}
                </span>{' '}
                <button type="button" class="btn btn--link" disabled={busy} onClick={() => void act(async () => { await unsubscribe(d); setTick((x) => x + 1); })}>
                  {t('push.remove')}
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
