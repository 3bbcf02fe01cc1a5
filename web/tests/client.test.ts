import { describe, expect, it } from 'vitest';
import { ApiClient, ApiError, buildUrl, problemFromResponse } from '../src/api/client';

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
