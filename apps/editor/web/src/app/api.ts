// The editor's REST calls: same origin, the cookie as credentials, JSON writes (the server refuses
// cross-site or non-JSON writes).
export interface DocSummary {
  id: number;
  title: string;
  updatedAt: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const fallback: Record<number, string> = {
  400: 'Invalid request',
  401: 'Please log in again',
  404: 'Not found',
  429: 'Too many new documents, try again later',
};

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'Cannot reach the server');
  }
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (data as { error?: unknown } | null)?.error;
    let message = typeof error === 'string' ? error : (fallback[res.status] ?? `Request failed (${res.status})`);
    const retry = res.headers.get('Retry-After');
    if (res.status === 429 && retry) message += ` (retry in ${retry} s)`;
    throw new ApiError(res.status, message);
  }
  return data as T;
}

const toId = (v: unknown) => (typeof v === 'string' ? Number(v) : (v as number));

/** GET /api/docs: the newest documents first. */
export async function listDocs(): Promise<DocSummary[]> {
  const data = await request<unknown>('GET', '/api/docs');
  if (!Array.isArray(data)) return [];
  return data.map((d: { id: unknown; title: unknown; updatedAt: unknown }) => ({
    id: toId(d.id),
    title: String(d.title ?? ''),
    updatedAt: String(d.updatedAt ?? ''),
  }));
}

/** POST /api/docs: the new document's id. */
export async function createDoc(title: string): Promise<number> {
  const data = await request<{ docId: unknown }>('POST', '/api/docs', { title });
  return toId(data.docId);
}
