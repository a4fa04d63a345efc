/** Shapes shared by every app of the demo: ids and the signed-in user (apps/chat/API.md). */

/** Ids are kept exactly as the server sends them (string or number) and compared with sameId(). */
export type Id = string | number;

export const sameId = (a: Id | null | undefined, b: Id | null | undefined): boolean =>
  a != null && b != null && String(a) === String(b);

export interface User {
  userId: Id;
  username: string;
}

export interface Session extends User {
  /** JWT from POST /api/login; null after a reload (the HttpOnly cookie carries the session then). */
  token: string | null;
}

/** What the shell gives an app's top-level page: the signed-in user and how to end the session. */
export interface AppPageProps {
  session: Session;
  /** Logs out everywhere in this tab (e.g. after a 401 or a rejected socket token). */
  onLogout: () => void;
}
