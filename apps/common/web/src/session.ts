/**
 * The signed-in user of this tab: restored at start from the HttpOnly cookie (GET /api/me) unless
 * the user logged out in this tab, set by the login screen, cleared by logout.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { accounts } from './api';
import type { Session } from './types';

const LOGGED_OUT_KEY = 'sio-demo:logged-out';

function setLoggedOut(on: boolean): void {
  try {
    if (on) sessionStorage.setItem(LOGGED_OUT_KEY, '1');
    else sessionStorage.removeItem(LOGGED_OUT_KEY);
  } catch {
    /* storage disabled */
  }
}

function loggedOut(): boolean {
  try {
    return sessionStorage.getItem(LOGGED_OUT_KEY) === '1';
  } catch {
    return false;
  }
}

export interface SessionState {
  /** True until the cookie session has been looked up. */
  booting: boolean;
  session: Session | null;
  signIn: (s: Session) => void;
  logout: () => void;
}

export function useSession(): SessionState {
  const [session, setSession] = useState<Session | null>(null);
  const [booting, setBooting] = useState(() => !loggedOut());
  const current = useRef(session);
  current.current = session;

  useEffect(() => {
    if (loggedOut()) return;
    let active = true;
    accounts
      .me(null)
      .then((u) => active && setSession({ userId: u.userId, username: u.username, token: null }))
      .catch(() => undefined)
      .finally(() => active && setBooting(false));
    return () => {
      active = false;
    };
  }, []);

  const signIn = useCallback((s: Session) => {
    setLoggedOut(false);
    setSession(s);
  }, []);

  const logout = useCallback(() => {
    setLoggedOut(true);
    void accounts.logout(current.current?.token ?? null);
    setSession(null);
  }, []);

  return { booting, session, signIn, logout };
}
