// The editor's REST calls, through the shared request helper (same origin, the cookie as
// credentials, JSON writes: the server refuses cross-site or non-JSON writes).
import { request } from 'sio-common-web';

export { ApiError } from 'sio-common-web';

export interface DocSummary {
  id: number;
  title: string;
  updatedAt: string;
}

const toId = (v: unknown) => (typeof v === 'string' ? Number(v) : (v as number));

/** GET /api/docs: the newest documents first. */
export async function listDocs(): Promise<DocSummary[]> {
  const data = await request<unknown>('GET', '/api/docs', null);
  if (!Array.isArray(data)) return [];
  return data.map((d: { id: unknown; title: unknown; updatedAt: unknown }) => ({
    id: toId(d.id),
    title: String(d.title ?? ''),
    updatedAt: String(d.updatedAt ?? ''),
  }));
}

/** POST /api/docs: the new document's id. */
export async function createDoc(title: string): Promise<number> {
  const data = await request<{ docId: unknown }>('POST', '/api/docs', null, { title });
  return toId(data.docId);
}
