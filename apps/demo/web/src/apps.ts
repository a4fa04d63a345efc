/** The apps the server offers (GET /api/apps), shown on the home page in the server's order. */
import { request } from 'sio-common-web';

export interface AppInfo {
  id: string;
  title: string;
  summary: string;
  path: string;
}

/** A path on this origin ("//host" would be another origin). */
const LOCAL_PATH = /^\/(?![/\\])/;

const isText = (v: unknown): v is string => typeof v === 'string';

/** The well-formed entries of a /api/apps answer (anything else is dropped). */
export function appsOf(data: unknown): AppInfo[] {
  if (!Array.isArray(data)) return [];
  return data.flatMap((a: unknown) => {
    if (!a || typeof a !== 'object') return [];
    const { id, title, summary, path } = a as Record<string, unknown>;
    if (!isText(id) || !isText(title) || !isText(path) || !LOCAL_PATH.test(path)) return [];
    return [{ id, title, summary: isText(summary) ? summary : '', path }];
  });
}

export const fetchApps = async (token: string | null): Promise<AppInfo[]> =>
  appsOf(await request<unknown>('GET', '/api/apps', token));
