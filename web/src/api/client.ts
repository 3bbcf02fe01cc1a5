// A small typed fetch client for the Parta API.
// - Same-origin session cookie; the CSRF token lives in memory only and goes out as
//   X-CSRF-Token on every request that changes something.
// - Errors are RFC 9457 problem documents; they become ApiError with per-field details.
import type { BodyOf, Method, PathsWith, ResultOf } from './types';

export type Params = Record<string, string | number | boolean | null | undefined>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  /** field name → localized message */
  readonly fields: Record<string, string>;
  readonly fieldCodes: Record<string, string>;

  constructor(status: number, code: string, detail: string, fields: Record<string, string> = {}, fieldCodes: Record<string, string> = {}) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fields = fields;
    this.fieldCodes = fieldCodes;
  }
}

export interface ClientOptions {
  fetch?: typeof fetch;
  base?: string;
  language?: () => string;
  /** Localized text for failures that have no problem document (network down, proxy error). */
  fallbackText?: (kind: 'network' | 'unexpected') => string;
  /** Called when the session turns out to be gone (401 on a call that needed it). */
  onUnauthenticated?: () => void;
  /** Makes the request object of uploads (XMLHttpRequest: fetch reports no upload progress). */
  xhr?: () => XhrLike;
}

/** The part of XMLHttpRequest an upload uses. */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: FormData | Blob): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  getResponseHeader(name: string): string | null;
  upload: { onprogress: ((e: { loaded: number; total: number; lengthComputable: boolean }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

/** A running upload: its outcome, and a way to stop it. */
export interface UploadHandle<T> {
  done: Promise<T>;
  abort: () => void;
}

/** The code of an upload stopped on purpose. */
export const ABORTED = 'aborted';

/** Turns a non-OK response into an ApiError, reading a problem document when there is one. */
export async function problemFromResponse(res: Response, fallback: (k: 'network' | 'unexpected') => string): Promise<ApiError> {
  let body: unknown = null;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      body = await res.json();
    } catch {
      body = null;
    }
  }
  if (body && typeof body === 'object') {
    const p = body as { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown };
    const fields: Record<string, string> = {};
    const fieldCodes: Record<string, string> = {};
    if (Array.isArray(p.errors)) {
      for (const e of p.errors) {
        if (e && typeof e === 'object' && typeof e.field === 'string') {
          // The first message for a field wins; later ones are usually the same complaint.
          if (!(e.field in fields)) {
            fields[e.field] = typeof e.detail === 'string' ? e.detail : String(e.code ?? '');
            fieldCodes[e.field] = typeof e.code === 'string' ? e.code : '';
          }
        }
      }
    }
    const detail =
      typeof p.detail === 'string' && p.detail ? p.detail : typeof p.title === 'string' && p.title ? p.title : fallback('unexpected');
    return new ApiError(res.status, typeof p.code === 'string' ? p.code : `http_${res.status}`, detail, fields, fieldCodes);
  }
  return new ApiError(res.status, `http_${res.status}`, fallback('unexpected'));
}

/**
 * The file name of a Content-Disposition header: `filename*=UTF-8''…` (RFC 5987) first,
 * else `filename="…"`; only the last path segment, never an empty name.
 */
export function fileNameOf(header: string | null): string | null {
  if (!header) return null;
  let name: string | null = null;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      name = decodeURIComponent(star[2]!.trim().replace(/^"|"$/g, ''));
    } catch {
      name = null;
    }
  }
  if (name === null) {
    const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]+))/i.exec(header);
    if (plain) name = plain[1] !== undefined ? plain[1].replace(/\\(.)/g, '$1') : plain[2]!.trim();
  }
  const last = name?.split(/[\\/]/).pop()?.trim();
  return last ? last : null;
}

/** Fills `{name}` placeholders from params; what is left becomes the query string. */
export function buildUrl(path: string, params: Params = {}): string {
  const used = new Set<string>();
  let url = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === null || v === '') throw new Error(`missing path parameter ${name}`);
    used.add(name);
    return encodeURIComponent(String(v));
  });
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (used.has(k) || v === undefined || v === null || v === '') continue;
    q.append(k, String(v));
  }
  const qs = q.toString();
  if (qs) url += `?${qs}`;
  return url;
}

export class ApiClient {
  private csrf: string | null = null;
  private readonly f: typeof fetch;
  private readonly base: string;
  private readonly lang: () => string;
  private readonly fallback: (k: 'network' | 'unexpected') => string;
  private readonly onUnauth: () => void;
  private readonly makeXhr: () => XhrLike;

  constructor(opts: ClientOptions = {}) {
    this.f = opts.fetch ?? ((...a) => fetch(...a));
    this.base = opts.base ?? '';
    this.lang = opts.language ?? (() => 'ru');
    this.fallback =
      opts.fallbackText ?? ((k) => (k === 'network' ? 'Нет связи с сервером.' : 'Что-то пошло не так. Повторите попытку.'));
    this.onUnauth = opts.onUnauthenticated ?? (() => {});
    this.makeXhr = opts.xhr ?? (() => new XMLHttpRequest() as unknown as XhrLike);
  }

  setCsrf(token: string | null): void {
    this.csrf = token;
  }

  hasCsrf(): boolean {
    return this.csrf !== null;
  }

  private async ensureCsrf(): Promise<void> {
    if (this.csrf) return;
    const res = await this.send('GET', '/api/v1/me/csrf');
    if (res.ok) {
      const body = (await res.json()) as { csrf_token: string };
      this.csrf = body.csrf_token;
    }
    // Without a session there is no token; the request itself will say so.
  }

  private async send(method: string, url: string, body?: BodyInit, contentType?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': this.lang() };
    if (contentType) headers['Content-Type'] = contentType;
    if (method !== 'GET' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    try {
      return await this.f(this.base + url, { method, headers, body, credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'network', this.fallback('network'));
    }
  }

  /** Sends one request; for changes the CSRF token is fetched if needed and refreshed once if stale. */
  async raw(method: Uppercase<Method>, path: string, params?: Params, body?: unknown, form?: FormData): Promise<unknown> {
    const url = buildUrl(path, params);
    const payload: BodyInit | undefined = form ?? (body === undefined ? undefined : JSON.stringify(body));
    const type = form ? undefined : body === undefined ? undefined : 'application/json';
    const changes = method !== 'GET';
    const anonymous = ANONYMOUS.has(path);
    if (changes && !anonymous) await this.ensureCsrf();
    let res = await this.send(method, url, payload, type);
    if (res.status === 403 && changes && !anonymous) {
      const err = await problemFromResponse(res.clone(), this.fallback);
      if (err.code === 'csrf_failed') {
        this.csrf = null;
        await this.ensureCsrf();
        res = await this.send(method, url, payload, type);
      }
    }
    if (!res.ok) {
      const err = await problemFromResponse(res, this.fallback);
      if (res.status === 401 && !anonymous) this.onUnauth();
      throw err;
    }
    if (res.status === 204) return undefined;
    const ct = res.headers.get('content-type') ?? '';
    return ct.includes('json') ? res.json() : undefined;
  }

  /**
   * Posts a multipart form (or a file as the body itself) with upload progress (`onProgress(sent, total)` in bytes of
   * the request body). `abort()` stops it; the promise then fails with code `aborted`.
   * A stale CSRF token is fetched again once, like every other change.
   */
  upload<P extends PathsWith<'post'>>(
    path: P,
    params: Params,
    form: FormData | Blob,
    onProgress: (loaded: number, total: number) => void,
  ): UploadHandle<ResultOf<P, 'post'>> {
    let current: XhrLike | null = null;
    let stopped = false;
    const url = this.base + buildUrl(path, params);
    const once = () =>
      new Promise<Response>((resolve, reject) => {
        if (stopped) return reject(new ApiError(0, ABORTED, ''));
        const x = this.makeXhr();
        current = x;
        x.open('POST', url);
        x.setRequestHeader('Accept', 'application/json');
        x.setRequestHeader('Accept-Language', this.lang());
        if (this.csrf) x.setRequestHeader('X-CSRF-Token', this.csrf);
        x.upload.onprogress = (e) => {
          if (e.lengthComputable) onProgress(e.loaded, e.total);
        };
        x.onload = () => {
          const type = x.getResponseHeader('content-type') ?? '';
          // Response wants a body-less answer for 204; an upload never answers that.
          resolve(new Response(x.status === 204 ? null : x.responseText, { status: x.status, headers: type ? { 'content-type': type } : {} }));
        };
        x.onerror = () => reject(new ApiError(0, 'network', this.fallback('network')));
        x.onabort = () => reject(new ApiError(0, ABORTED, ''));
        x.send(form);
      });
    const done = (async () => {
      await this.ensureCsrf();
      let res = await once();
      if (res.status === 403) {
        const err = await problemFromResponse(res.clone(), this.fallback);
        if (err.code === 'csrf_failed') {
          this.csrf = null;
          await this.ensureCsrf();
          res = await once();
        }
      }
      if (!res.ok) {
        const err = await problemFromResponse(res, this.fallback);
        if (res.status === 401) this.onUnauth();
        throw err;
      }
      return (await res.json()) as ResultOf<P, 'post'>;
    })();
    return {
      done,
      abort: () => {
        stopped = true;
        (current as XhrLike | null)?.abort();
      },
    };
  }

  /** A file the API gives (a zip, a spreadsheet) as bytes; a refusal as the usual problem. */
  async file(path: PathsWith<'get'>, params?: Params): Promise<Blob> {
    const res = await this.send('GET', buildUrl(path, params));
    if (!res.ok) {
      const err = await problemFromResponse(res, this.fallback);
      if (res.status === 401) this.onUnauth();
      throw err;
    }
    return res.blob();
  }

  /** Like `file`, with the file name the server gives (Content-Disposition), if any. */
  async download(path: PathsWith<'get'>, params?: Params): Promise<{ blob: Blob; name: string | null }> {
    const res = await this.send('GET', buildUrl(path, params));
    if (!res.ok) {
      const err = await problemFromResponse(res, this.fallback);
      if (res.status === 401) this.onUnauth();
      throw err;
    }
    return { blob: await res.blob(), name: fileNameOf(res.headers.get('content-disposition')) };
  }

  get<P extends PathsWith<'get'>>(path: P, params?: Params): Promise<ResultOf<P, 'get'>> {
    return this.raw('GET', path, params) as Promise<ResultOf<P, 'get'>>;
  }
  post<P extends PathsWith<'post'>>(path: P, params?: Params, body?: BodyOf<P, 'post'>): Promise<ResultOf<P, 'post'>> {
    return this.raw('POST', path, params, body) as Promise<ResultOf<P, 'post'>>;
  }
  postForm<P extends PathsWith<'post'>>(path: P, form: FormData, params?: Params): Promise<ResultOf<P, 'post'>> {
    return this.raw('POST', path, params, undefined, form) as Promise<ResultOf<P, 'post'>>;
  }
  put<P extends PathsWith<'put'>>(path: P, params?: Params, body?: BodyOf<P, 'put'>): Promise<ResultOf<P, 'put'>> {
    return this.raw('PUT', path, params, body) as Promise<ResultOf<P, 'put'>>;
  }
  patch<P extends PathsWith<'patch'>>(path: P, params?: Params, body?: BodyOf<P, 'patch'>): Promise<ResultOf<P, 'patch'>> {
    return this.raw('PATCH', path, params, body) as Promise<ResultOf<P, 'patch'>>;
  }
  del<P extends PathsWith<'delete'>>(path: P, params?: Params, body?: BodyOf<P, 'delete'>): Promise<ResultOf<P, 'delete'>> {
    return this.raw('DELETE', path, params, body) as Promise<ResultOf<P, 'delete'>>;
  }
}

/** Endpoints that need no session, so no CSRF token either. */
const ANONYMOUS = new Set<string>([
  '/api/v1/auth/login',
  '/api/v1/auth/register',
  '/api/v1/auth/password-reset',
  '/api/v1/auth/set-password',
  '/api/v1/digest/unsubscribe',
  '/api/v1/applications',
]);
