/**
 * The one place that talks HTTP. Adds the Bearer token, encodes JSON, and turns the backend's
 * error bodies `{ statusCode, error, message, ...extra }` into `ApiError`s that callers can
 * narrow on, so no store has to parse a Response.
 */

export interface ApiErrorBody {
  statusCode: number;
  error: string;
  /** Nest's ValidationPipe sends a list, hand-written errors a string. */
  message: string | string[];
  [extra: string]: unknown;
}

export class ApiError<B extends ApiErrorBody = ApiErrorBody> extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly body: B;

  constructor(body: B) {
    const messages = Array.isArray(body.message) ? body.message : [body.message];
    super(messages.join('; ') || body.error || `HTTP ${body.statusCode}`);
    this.status = body.statusCode;
    this.body = body;
  }

  /** The human messages, always as a list. */
  get messages(): string[] {
    const m = this.body.message;
    return (Array.isArray(m) ? m : [m]).filter((s) => typeof s === 'string' && s.length > 0);
  }

  /** The machine-readable `code` extra field, when the backend sends one (e.g. SLOT_TAKEN). */
  get code(): string | undefined {
    return typeof this.body.code === 'string' ? this.body.code : undefined;
  }
}

/** The request never got an HTTP answer (offline, DNS, server down behind no proxy). */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(cause: unknown) {
    super('network request failed', { cause });
  }
}

export function isApiError(e: unknown, status?: number): e is ApiError {
  return e instanceof ApiError && (status === undefined || e.status === status);
}

export interface HttpHooks {
  getToken(): string | null;
  /** Called on any 401 so the app can end the session; the error is still thrown. */
  onUnauthorized(): void;
  getLanguage?(): string;
}

let hooks: HttpHooks = { getToken: () => null, onUnauthorized: () => undefined };

/** Wired once in main.ts; keeps this module free of store imports (and import cycles). */
export function configureHttp(h: HttpHooks): void {
  hooks = h;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** Use this token instead of the session's (e.g. right after login). */
  token?: string | null;
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
  /** A 401 is the caller's own business (e.g. the citizen session), not the staff session's end. */
  ownSession?: boolean;
}

export const API_BASE = '/api';

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...opts.headers, Accept: 'application/json' };
  const token = opts.token !== undefined ? opts.token : hooks.getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const language = hooks.getLanguage?.();
  if (language) headers['Accept-Language'] = language;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }

  let res: Response;
  try {
    res = await fetch(API_BASE + path + queryString(opts.query), {
      method,
      headers,
      body,
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new NetworkError(e);
  }

  if (res.ok) {
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  const error = new ApiError(await errorBody(res));
  if (res.status === 401 && !opts.ownSession) hooks.onUnauthorized();
  throw error;
}

export const http = {
  get: <T>(path: string, opts?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) =>
    request<T>('PATCH', path, { ...opts, body }),
  delete: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, opts),
};

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** A proxy's HTML 502 or an empty body still becomes a well-formed ApiError. */
async function errorBody(res: Response): Promise<ApiErrorBody> {
  const fallback: ApiErrorBody = {
    statusCode: res.status,
    error: res.statusText || `HTTP ${res.status}`,
    message: '',
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(await res.text());
  } catch {
    return fallback;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return fallback;
  const b = parsed as Record<string, unknown>;
  const message =
    typeof b.message === 'string' ||
    (Array.isArray(b.message) && b.message.every((m) => typeof m === 'string'))
      ? (b.message as string | string[])
      : '';
  return {
    ...b,
    statusCode: typeof b.statusCode === 'number' ? b.statusCode : res.status,
    error: typeof b.error === 'string' ? b.error : fallback.error,
    message,
  };
}

/** Path segments from ids: ids are opaque strings and may contain anything. */
export function seg(id: string): string {
  return encodeURIComponent(id);
}

/** A binary answer (a PDF): the same token and error handling, the body as a Blob. */
export async function requestBlob(path: string, opts: Omit<RequestOptions, 'body'> = {}): Promise<Blob> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token !== undefined ? opts.token : hooks.getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(API_BASE + path + queryString(opts.query), { headers, signal: opts.signal });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new NetworkError(e);
  }
  if (res.ok) return res.blob();
  const error = new ApiError(await errorBody(res));
  if (res.status === 401) hooks.onUnauthorized();
  throw error;
}
