// Web push on this device: whether the browser can, what the person allowed, and this
// browser's subscription as the server knows it. Subscribing asks the browser for a
// push subscription with the server's key and hands it to the server; the service
// worker (public/sw.js) shows what arrives. A subscription lives with this session:
// signing out here ends it on the server.
import type { PushDevice } from '../api/types';
import { api } from '../state';

export type PushState =
  /** No service worker or Push API here (an old browser, or iOS outside the home screen). */
  | 'unsupported'
  /** The person refused notifications for the site: only the browser's settings undo it. */
  | 'denied'
  | 'off'
  | 'on';

export function supported(): boolean {
  return typeof window !== 'undefined' && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** The server's key as the Push API takes it. */
export function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const b64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  const raw = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

async function registration(): Promise<ServiceWorkerRegistration> {
  // In development there is no service worker; register it here so push can be tried.
  return (await navigator.serviceWorker.getRegistration()) ?? (await navigator.serviceWorker.register('/sw.js'));
}

/** This browser's subscription, if it has one. */
async function browserSubscription(): Promise<PushSubscription | null> {
  const reg = await navigator.serviceWorker.getRegistration();
  return reg ? reg.pushManager.getSubscription() : null;
}

/** One's devices, and which of them is this browser (its endpoint, as the server has it). */
export async function devices(): Promise<{ all: PushDevice[]; here: PushDevice | null; state: PushState }> {
  if (!supported()) return { all: [], here: null, state: 'unsupported' };
  const all = await api.get('/api/v1/push/subscriptions');
  const sub = await browserSubscription();
  const here = all.find((d) => (sub ? d.endpoint === sub.endpoint : false)) ?? null;
  if (Notification.permission === 'denied') return { all, here, state: 'denied' };
  return { all, here, state: here ? 'on' : 'off' };
}

/** Asks for permission (a tap must lead here), subscribes the browser and tells the server. */
export async function subscribe(kindsOff: string[] = []): Promise<PushDevice | 'denied'> {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const { public_key } = await api.get('/api/v1/push/key');
  const reg = await registration();
  let sub = await reg.pushManager.getSubscription();
  // A subscription made with another server key cannot be used: start afresh.
  const key = keyBytes(public_key);
  const ownKey = sub?.options.applicationServerKey;
  if (sub && ownKey && !sameBytes(new Uint8Array(ownKey), key)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const json = sub.toJSON();
  return api.post('/api/v1/push/subscriptions', undefined, {
    endpoint: sub.endpoint,
    keys: { p256dh: json.keys?.p256dh ?? '', auth: json.keys?.auth ?? '' },
    kinds_off: kindsOff,
  });
}

/** Stops pushes to a device; for this browser, drops its subscription too. */
export async function unsubscribe(device: PushDevice): Promise<void> {
  await api.del('/api/v1/push/subscriptions/{id}', { id: device.id });
  if (device.current) {
    const sub = await browserSubscription();
    if (sub?.endpoint === device.endpoint) await sub.unsubscribe();
  }
}

export function setKinds(device: PushDevice, kindsOff: string[]): Promise<PushDevice> {
  return api.put('/api/v1/push/subscriptions/{id}', { id: device.id }, { kinds_off: kindsOff });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The kinds a device may turn off, in the order shown. */
export const PUSH_KINDS = ['message', 'mention', 'reply', 'direct_chat', 'mark', 'absence', 'homework', 'join_request', 'report', 'login'] as const;
