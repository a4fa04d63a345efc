/**
 * The browser's own notifications: a live notification shows one while the tab is hidden, once
 * the user has allowed it (the permission is asked for on a click only). Tagged with the
 * notification's id, so the user's other hidden tabs replace it instead of adding theirs.
 */
import { senderOf } from './format';
import type { Notification } from './types';

/** The browser's permission, or 'unsupported' where there is no Notification API. */
export type DesktopPermission = NotificationPermission | 'unsupported';

export const desktopPermission = (): DesktopPermission =>
  typeof window !== 'undefined' && 'Notification' in window ? window.Notification.permission : 'unsupported';

/** Whether a live notification gets a desktop one. */
export const showsOnDesktop = (item: Notification, hidden: boolean, permission: DesktopPermission): boolean =>
  hidden && permission === 'granted' && !item.read;

/** What the desktop notification says: the title, and the sender with the body. */
export function desktopContent(item: Notification): { title: string; options: NotificationOptions } {
  const body = item.body ? `${senderOf(item)}: ${item.body}` : senderOf(item);
  return { title: item.title, options: { body, tag: String(item.id) } };
}

/** Shows `item` on the desktop; a click focuses this tab and calls `onClick`. */
export function showOnDesktop(item: Notification, onClick: () => void): void {
  const { title, options } = desktopContent(item);
  try {
    const shown = new window.Notification(title, options);
    shown.onclick = () => {
      window.focus();
      shown.close();
      onClick();
    };
  } catch {
    /* some browsers allow notifications from a service worker only: the bell still shows it */
  }
}

/** Asks for the permission (call it from a click); the answer. */
export async function requestDesktopPermission(): Promise<DesktopPermission> {
  if (desktopPermission() === 'unsupported') return 'unsupported';
  try {
    return await window.Notification.requestPermission();
  } catch {
    return desktopPermission();
  }
}

/**
 * Calls `onChange` when the permission may have changed outside this tab (the site settings,
 * another tab's request); returns the function that stops watching.
 */
export function watchDesktopPermission(onChange: () => void): () => void {
  let status: PermissionStatus | null = null;
  let stopped = false;
  navigator.permissions
    ?.query({ name: 'notifications' })
    .then((s) => {
      if (stopped) return;
      status = s;
      s.addEventListener('change', onChange);
    })
    .catch(() => undefined);
  window.addEventListener('focus', onChange);
  return () => {
    stopped = true;
    status?.removeEventListener('change', onChange);
    window.removeEventListener('focus', onChange);
  };
}
