import { describe, expect, it } from 'vitest';
import { ABORTED, ApiClient, ApiError, buildUrl, problemFromResponse, type XhrLike } from '../src/api/client';

type Call = { url: string; method: string; headers: Record<string, string>; body?: unknown };

function json(status: number, body: unknown, type = 'application/json'): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'content-type': type } });
}

/** A fake fetch answering from a list of handlers, recording every call. */
function fakeFetch(handler: (c: Call) => Response) {
  const calls: Call[] = [];
  const f = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const c: Call = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: init?.body,
    };
    calls.push(c);
    return handler(c);
  }) as typeof fetch;
  return { f, calls };
}

const problem = (status: number, code: string, detail: string, errors?: unknown[]) =>
  json(status, { type: 'about:blank', title: 'x', status, code, detail, errors }, 'application/problem+json');

describe('problem handling', () => {
  it('reads code, detail and per-field messages from problem+json', async () => {
    const e = await problemFromResponse(
      problem(422, 'validation_failed', 'Проверьте заполнение полей.', [
        { field: 'inn', code: 'invalid_checksum', detail: 'Контрольная цифра не сходится.' },
        { field: 'email', code: 'invalid_email', detail: 'Некорректный адрес e-mail.' },
        { field: 'email', code: 'too_long', detail: 'Слишком длинное значение.' },
      ]),
      () => 'fallback',
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(422);
    expect(e.code).toBe('validation_failed');
    expect(e.detail).toBe('Проверьте заполнение полей.');
    expect(e.fields).toEqual({ inn: 'Контрольная цифра не сходится.', email: 'Некорректный адрес e-mail.' });
    expect(e.fieldCodes.inn).toBe('invalid_checksum');
  });

  it('falls back to a localized text when the answer is not a problem document', async () => {
    const e = await problemFromResponse(new Response('<html>bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } }), (k) => `fallback:${k}`);
    expect(e.code).toBe('http_502');
    expect(e.detail).toBe('fallback:unexpected');
  });

  it('turns a failed connection into a network error', async () => {
    const client = new ApiClient({
      fetch: (async () => {
        throw new TypeError('Failed to fetch');
      }) as typeof fetch,
      fallbackText: (k) => `fallback:${k}`,
    });
    await expect(client.get('/api/v1/me')).rejects.toMatchObject({ code: 'network', status: 0, detail: 'fallback:network' });
  });

  it('sends Accept-Language from the language switch', async () => {
    let lang = 'ru';
    const { f, calls } = fakeFetch(() => json(200, {}));
    const client = new ApiClient({ fetch: f, language: () => lang });
    await client.get('/api/v1/me');
    lang = 'en';
    await client.get('/api/v1/me');
    expect(calls.map((c) => c.headers['Accept-Language'])).toEqual(['ru', 'en']);
  });

  it('reports a lost session once, on 401', async () => {
    let lost = 0;
    const { f } = fakeFetch(() => problem(401, 'unauthenticated', 'Войдите в систему.'));
    const client = new ApiClient({ fetch: f, onUnauthenticated: () => lost++ });
    await expect(client.get('/api/v1/me')).rejects.toMatchObject({ status: 401 });
    expect(lost).toBe(1);
  });

  it('does not treat a wrong password at login as a lost session', async () => {
    let lost = 0;
    const { f } = fakeFetch(() => problem(401, 'invalid_credentials', 'Неверный логин или пароль.'));
    const client = new ApiClient({ fetch: f, onUnauthenticated: () => lost++ });
    await expect(client.post('/api/v1/auth/login', undefined, { login: 'a', password: 'b' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(lost).toBe(0);
  });
});

describe('CSRF', () => {
  it('sends the token on changes but not on reads', async () => {
    const { f, calls } = fakeFetch(() => json(200, {}));
    const client = new ApiClient({ fetch: f });
    client.setCsrf('tok-1');
    await client.get('/api/v1/me');
    await client.post('/api/v1/orgs/{org_id}/units', { org_id: 1 }, { name: 'Начальная школа' });
    expect(calls[0]!.headers['X-CSRF-Token']).toBeUndefined();
    expect(calls[1]!.headers['X-CSRF-Token']).toBe('tok-1');
    expect(calls[1]!.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(calls[1]!.body))).toEqual({ name: 'Начальная школа' });
  });

  it('fetches the token from /me/csrf after a reload, before the first change', async () => {
    const { f, calls } = fakeFetch((c) => (c.url === '/api/v1/me/csrf' ? json(200, { csrf_token: 'fresh' }) : json(200, {})));
    const client = new ApiClient({ fetch: f });
    expect(client.hasCsrf()).toBe(false);
    await client.del('/api/v1/me/sessions/{session_id}', { session_id: 7 });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['GET /api/v1/me/csrf', 'DELETE /api/v1/me/sessions/7']);
    expect(calls[1]!.headers['X-CSRF-Token']).toBe('fresh');
  });

  it('refreshes a stale token once and repeats the request', async () => {
    let n = 0;
    const { f, calls } = fakeFetch((c) => {
      if (c.url === '/api/v1/me/csrf') return json(200, { csrf_token: 'new' });
      n++;
      return c.headers['X-CSRF-Token'] === 'new' ? json(200, { ok: true }) : problem(403, 'csrf_failed', 'Запрос отклонён');
    });
    const client = new ApiClient({ fetch: f });
    client.setCsrf('old');
    await client.post('/api/v1/orgs/{org_id}/units', { org_id: 1 }, { name: 'x' });
    expect(n).toBe(2);
    expect(calls.filter((c) => c.url === '/api/v1/me/csrf')).toHaveLength(1);
  });

  it('needs no token for the anonymous endpoints', async () => {
    const { f, calls } = fakeFetch(() => json(200, { token: 't', csrf_token: 'c', user: {} }));
    const client = new ApiClient({ fetch: f });
    await client.post('/api/v1/auth/login', undefined, { login: 'a@b.ru', password: 'p' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).toBe('/api/v1/auth/login');
  });

  it('sends multipart forms without a JSON content type', async () => {
    const { f, calls } = fakeFetch(() => json(201, { id: 3, status: 'pending' }));
    const client = new ApiClient({ fetch: f });
    const data = new FormData();
    data.append('inn', '7707083893');
    const res = await client.postForm('/api/v1/applications', data);
    expect(res).toEqual({ id: 3, status: 'pending' });
    expect(calls[0]!.headers['Content-Type']).toBeUndefined();
    expect(calls[0]!.body).toBe(data);
  });
});

describe('buildUrl', () => {
  it('fills path parameters and puts the rest in the query', () => {
    expect(buildUrl('/api/v1/orgs/{org_id}/audit', { org_id: 1, before_id: 40, limit: 50 })).toBe('/api/v1/orgs/1/audit?before_id=40&limit=50');
    expect(buildUrl('/api/v1/orgs/{org_id}/join-requests', { org_id: 2, status: undefined })).toBe('/api/v1/orgs/2/join-requests');
    expect(buildUrl('/api/v1/invites/{token}', { token: 'a/b c' })).toBe('/api/v1/invites/a%2Fb%20c');
  });
  it('refuses a missing path parameter', () => {
    expect(() => buildUrl('/api/v1/orgs/{org_id}', {})).toThrow(/org_id/);
  });
});

/** A fake XMLHttpRequest: records what was sent; the test plays the server. */
class FakeXhr implements XhrLike {
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: FormData | null = null;
  status = 0;
  responseText = '';
  aborted = false;
  private type = '';
  upload: XhrLike['upload'] = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: FormData) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  getResponseHeader(name: string) {
    return name.toLowerCase() === 'content-type' ? this.type : null;
  }
  // server side
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true });
  }
  answer(status: number, body: unknown, type = 'application/json') {
    this.status = status;
    this.type = type;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

function uploadHarness(fetchHandler: (c: Call) => Response = () => json(200, { csrf_token: 'fresh' })) {
  const xhrs: FakeXhr[] = [];
  const { f, calls } = fakeFetch(fetchHandler);
  let lost = 0;
  const client = new ApiClient({
    fetch: f,
    language: () => 'ru',
    fallbackText: (k) => `fallback:${k}`,
    onUnauthenticated: () => lost++,
    xhr: () => {
      const x = new FakeXhr();
      xhrs.push(x);
      return x;
    },
  });
  const form = new FormData();
  form.append('file', new Blob(['%PDF-1.4']), 'план.pdf');
  const seen: [number, number][] = [];
  const start = () => client.upload('/api/v1/chats/{chat_id}/files', { chat_id: 8 }, form, (l, t) => seen.push([l, t]));
  const settle = () => new Promise((r) => setTimeout(r, 0));
  return { client, xhrs, calls, seen, start, settle, form, lost: () => lost };
}

describe('uploads with progress', () => {
  it('posts the form with the CSRF token and language, reports progress, returns the stored file', async () => {
    const h = uploadHarness();
    h.client.setCsrf('tok');
    const up = h.start();
    await h.settle();
    const x = h.xhrs[0]!;
    expect([x.method, x.url]).toEqual(['POST', '/api/v1/chats/8/files']);
    expect(x.headers['X-CSRF-Token']).toBe('tok');
    expect(x.headers['Accept-Language']).toBe('ru');
    expect(x.body).toBe(h.form);
    x.progress(100, 400);
    x.progress(400, 400);
    x.answer(201, { id: 5, name: 'план.pdf', size: 8, content_type: 'application/pdf' });
    await expect(up.done).resolves.toEqual({ id: 5, name: 'план.pdf', size: 8, content_type: 'application/pdf' });
    expect(h.seen).toEqual([
      [100, 400],
      [400, 400],
    ]);
    expect(h.calls).toHaveLength(0);
  });

  it('fetches the CSRF token first after a reload', async () => {
    const h = uploadHarness();
    const up = h.start();
    await h.settle();
    expect(h.calls.map((c) => c.url)).toEqual(['/api/v1/me/csrf']);
    h.xhrs[0]!.answer(201, { id: 1, name: 'a', size: 1, content_type: 'text/plain' });
    await up.done;
    expect(h.xhrs[0]!.headers['X-CSRF-Token']).toBe('fresh');
  });

  it('turns a problem answer into an ApiError with its code (a file too large)', async () => {
    const h = uploadHarness();
    h.client.setCsrf('tok');
    const up = h.start();
    await h.settle();
    h.xhrs[0]!.answer(413, { type: 'x', title: 'Payload Too Large', status: 413, code: 'payload_too_large', detail: 'Слишком большой запрос или файл.' }, 'application/problem+json');
    await expect(up.done).rejects.toMatchObject({ status: 413, code: 'payload_too_large', detail: 'Слишком большой запрос или файл.' });
  });

  it('refreshes a stale CSRF token once and sends the file again', async () => {
    const h = uploadHarness(() => json(200, { csrf_token: 'new' }));
    h.client.setCsrf('old');
    const up = h.start();
    await h.settle();
    h.xhrs[0]!.answer(403, { type: 'x', title: 'x', status: 403, code: 'csrf_failed', detail: 'Запрос отклонён' }, 'application/problem+json');
    await h.settle();
    await h.settle();
    expect(h.xhrs).toHaveLength(2);
    expect(h.xhrs[1]!.headers['X-CSRF-Token']).toBe('new');
    h.xhrs[1]!.answer(201, { id: 2, name: 'a', size: 1, content_type: 'text/plain' });
    await expect(up.done).resolves.toMatchObject({ id: 2 });
  });

  it('a muted member gets the server’s words and code', async () => {
    const h = uploadHarness();
    h.client.setCsrf('tok');
    const up = h.start();
    await h.settle();
    h.xhrs[0]!.answer(403, { type: 'x', title: 'Forbidden', status: 403, code: 'muted', detail: 'Модератор временно ограничил вам отправку сообщений в этом чате.' }, 'application/problem+json');
    await expect(up.done).rejects.toMatchObject({ status: 403, code: 'muted' });
    expect(h.xhrs).toHaveLength(1);
  });

  it('cancelling aborts the request; the promise fails with code aborted', async () => {
    const h = uploadHarness();
    h.client.setCsrf('tok');
    const up = h.start();
    await h.settle();
    h.xhrs[0]!.progress(10, 400);
    up.abort();
    expect(h.xhrs[0]!.aborted).toBe(true);
    await expect(up.done).rejects.toMatchObject({ code: ABORTED });
  });

  it('cancelling before the request left sends nothing', async () => {
    const h = uploadHarness();
    const up = h.start();
    up.abort();
    await expect(up.done).rejects.toMatchObject({ code: ABORTED });
    expect(h.xhrs).toHaveLength(0);
  });

  it('a dropped connection is a network error; a lost session is reported', async () => {
    const h = uploadHarness();
    h.client.setCsrf('tok');
    const a = h.start();
    await h.settle();
    h.xhrs[0]!.onerror?.();
    await expect(a.done).rejects.toMatchObject({ status: 0, code: 'network', detail: 'fallback:network' });
    const b = h.start();
    await h.settle();
    h.xhrs[1]!.answer(401, { type: 'x', title: 'x', status: 401, code: 'unauthenticated', detail: 'Войдите.' }, 'application/problem+json');
    await expect(b.done).rejects.toBeInstanceOf(ApiError);
    expect(h.lost()).toBe(1);
  });
});
