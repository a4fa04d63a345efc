import { useId, useState, type FormEvent } from 'react';
import { accounts, ApiError, MIN_PASSWORD, USERNAME_RE } from './api';
import { Logo } from './Logo';
import type { Session } from './types';

interface Props {
  onAuthenticated: (s: Session) => void;
}

/** One form, two actions: "Log in" (Enter) or "Create account" (register, then log in). */
export function AuthScreen({ onAuthenticated }: Props) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState<null | 'login' | 'register'>(null);
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const uid = useId();

  const validate = (forRegister: boolean): string | null => {
    if (!username.trim() || !password) return 'Enter a username and a password.';
    if (forRegister && !USERNAME_RE.test(username))
      return 'Usernames are 3–32 characters: letters, digits, “_”, “.” or “-”.';
    if (forRegister && password.length < MIN_PASSWORD)
      return `Passwords need at least ${MIN_PASSWORD} characters.`;
    return null;
  };

  const login = async () => {
    const res = await accounts.login(username, password);
    onAuthenticated({ userId: res.userId, username: res.username, token: res.token });
  };

  const run = async (action: 'login' | 'register') => {
    const problem = validate(action === 'register');
    setError(problem);
    setInfo(null);
    if (problem) return;
    setBusy(action);
    try {
      if (action === 'register') {
        await accounts.register(username, password);
        setInfo('Account created — signing you in…');
      }
      await login();
    } catch (e) {
      const err = e as ApiError;
      if (action === 'login' && err.status === 401) setError('Wrong username or password.');
      else if (action === 'register' && err.status === 409) setError('That username is taken.');
      else setError(err.message || 'Something went wrong.');
      setBusy(null);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void run('login');
  };

  return (
    <main className="auth" data-testid="auth-screen">
      <div className="auth-card">
        <div className="auth-brand">
          <Logo />
          <div>
            <h1>sio demo</h1>
            <p className="muted">Real-time apps on a C++ Socket.IO server — one account for all of them</p>
          </div>
        </div>
        <form className="form" data-testid="auth-form" aria-label="Sign in" onSubmit={onSubmit} noValidate>
          <div className="field">
            <label htmlFor={`${uid}-user`}>Username</label>
            <input
              id={`${uid}-user`}
              name="username"
              data-testid="login-username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              maxLength={32}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              autoFocus
            />
          </div>
          <div className="field">
            <label htmlFor={`${uid}-pass`}>Password</label>
            <input
              id={`${uid}-pass`}
              name="password"
              type="password"
              data-testid="login-password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-describedby={`${uid}-hint`}
            />
            <small id={`${uid}-hint`} className="muted">
              New here? Pick a username and a password of {MIN_PASSWORD}+ characters, then “Create account”.
            </small>
          </div>
          <div className="form-status" aria-live="polite">
            {error && (
              <p className="alert alert-error" role="alert" data-testid="auth-error">
                {error}
              </p>
            )}
            {info && !error && (
              <p className="alert alert-info" data-testid="auth-info">
                {info}
              </p>
            )}
          </div>
          <div className="auth-actions">
            <button type="submit" className="btn btn-primary" data-testid="login-button" disabled={busy !== null}>
              {busy === 'login' ? 'Logging in…' : 'Log in'}
            </button>
            <button
              type="button"
              className="btn btn-secondary"
              data-testid="register-button"
              disabled={busy !== null}
              onClick={() => void run('register')}
            >
              {busy === 'register' ? 'Creating…' : 'Create account'}
            </button>
          </div>
        </form>
      </div>
    </main>
  );
}
