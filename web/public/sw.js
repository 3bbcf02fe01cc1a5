// Parta service worker: makes the app installable and keeps its shell for a flaky
// connection. API answers are never cached: they always go to the network.
const CACHE = 'parta-shell-v1';

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(['/', '/manifest.webmanifest', '/icons/icon.svg'])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (req.mode === 'navigate') {
    // Network first for pages; the cached shell only when offline.
    event.respondWith(fetch(req).catch(() => caches.match('/')));
    return;
  }
  if (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/')) {
    // Hashed build files never change: cache first.
    event.respondWith(
      caches.match(req).then(
        (hit) =>
          hit ||
          fetch(req).then((res) => {
            if (res.ok) {
              const copy = res.clone();
              caches.open(CACHE).then((c) => c.put(req, copy));
            }
            return res;
          }),
      ),
    );
  }
});

// A push (encrypted for this browser by the server, decrypted by the browser): shown
// as a notification, unless Parta is open and in front — the page shows it itself.
// The payload is the server's words: { title, body, url, tag } (push/words.rs).
self.addEventListener('push', (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = {};
  }
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      if (windows.some((w) => w.visibilityState === 'visible' && w.focused)) return undefined;
      return self.registration.showNotification(data.title || 'Парта', {
        body: data.body || '',
        tag: data.tag,
        renotify: Boolean(data.tag),
        icon: '/icons/icon-192.png',
        badge: '/icons/icon-192.png',
        data: { url: typeof data.url === 'string' && data.url.startsWith('/') ? data.url : '/notifications' },
      });
    }),
  );
});

// Tapping a notification opens its place: in a Parta window already open, or a new one.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || '/', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      const open = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (open) return open.focus().then(() => open.navigate(url));
      return self.clients.openWindow(url);
    }),
  );
});

// The push service replaced the subscription: hand the new one to the server, with
// the kinds this device had turned off (the session's cookie goes with the requests).
self.addEventListener('pushsubscriptionchange', (event) => {
  const old = event.oldSubscription;
  event.waitUntil(
    (async () => {
      const key = await fetch('/api/v1/push/key', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null));
      if (!key) return;
      const padded = key.public_key.replace(/-/g, '+').replace(/_/g, '/');
      const bytes = Uint8Array.from(atob(padded + '='.repeat((4 - (padded.length % 4)) % 4)), (c) => c.charCodeAt(0));
      const sub = event.newSubscription || (await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes }));
      const devices = await fetch('/api/v1/push/subscriptions', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : []));
      const before = old ? devices.find((d) => d.endpoint === old.endpoint) : null;
      const csrf = await fetch('/api/v1/me/csrf', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null));
      if (!csrf) return;
      const json = sub.toJSON();
      await fetch('/api/v1/push/subscriptions', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf.csrf_token },
        body: JSON.stringify({ endpoint: sub.endpoint, keys: json.keys, kinds_off: before ? before.kinds_off : [] }),
      });
      if (before) {
        await fetch(`/api/v1/push/subscriptions/${before.id}`, {
          method: 'DELETE',
          credentials: 'same-origin',
          headers: { 'x-csrf-token': csrf.csrf_token },
        });
      }
    })(),
  );
});
