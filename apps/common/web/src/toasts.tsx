import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

/* ---- Toasts: one polite live region for notifications and errors ---- */

export interface Toast {
  id: number;
  kind: 'info' | 'error' | 'success';
  text: string;
  action?: { label: string; onClick: () => void };
}

interface ToastApi {
  push: (t: Omit<Toast, 'id'>, ttlMs?: number) => void;
}

const ToastContext = createContext<ToastApi>({ push: () => undefined });

export const useToasts = (): ToastApi => useContext(ToastContext);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const dismiss = useCallback((id: number) => setToasts((all) => all.filter((t) => t.id !== id)), []);

  const push = useCallback(
    (t: Omit<Toast, 'id'>, ttlMs = 6000) => {
      const id = nextId.current++;
      setToasts((all) => [...all.slice(-3), { ...t, id }]);
      window.setTimeout(() => dismiss(id), ttlMs);
    },
    [dismiss],
  );

  const api = useMemo(() => ({ push }), [push]);

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" data-testid="toast-area" role="region" aria-label="Notifications" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} data-testid="toast" data-kind={t.kind}>
            <span className="toast-text">{t.text}</span>
            {t.action && (
              <button
                type="button"
                className="btn btn-small"
                data-testid="toast-action"
                onClick={() => {
                  t.action!.onClick();
                  dismiss(t.id);
                }}
              >
                {t.action.label}
              </button>
            )}
            <button
              type="button"
              className="icon-btn"
              aria-label="Dismiss notification"
              data-testid="toast-dismiss"
              onClick={() => dismiss(t.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
