import { describe, expect, it } from 'vitest';
import { problemOf } from './api';
import { desktopContent, showsOnDesktop } from './desktop';
import { timeAgo } from './format';
import type { Notification } from './types';

const item: Notification = {
  id: 31,
  from: { userId: 2, username: 'alice' },
  title: 'Your turn',
  body: 'alice played in game 4',
  url: '/tictactoe/4',
  createdAt: 1_700_000_000_000,
  read: false,
};

describe('desktop notifications', () => {
  it('show a live unread one only while the tab is hidden and the user allowed them', () => {
    expect(showsOnDesktop(item, true, 'granted')).toBe(true);
    expect(showsOnDesktop(item, false, 'granted')).toBe(false);
    expect(showsOnDesktop(item, true, 'default')).toBe(false);
    expect(showsOnDesktop(item, true, 'denied')).toBe(false);
    expect(showsOnDesktop(item, true, 'unsupported')).toBe(false);
    expect(showsOnDesktop({ ...item, read: true }, true, 'granted')).toBe(false);
  });

  it('say the title, the sender and the body, tagged with the id', () => {
    expect(desktopContent(item)).toEqual({
      title: 'Your turn',
      options: { body: 'alice: alice played in game 4', tag: '31' },
    });
    expect(desktopContent({ ...item, from: null, body: '' }).options.body).toBe('sio');
  });
});

describe('the send form', () => {
  const ok = { toUsername: 'bob', title: 'Hi', body: '', url: '' };
  it('accepts what the server accepts', () => {
    expect(problemOf(ok)).toBeNull();
    expect(problemOf({ ...ok, url: '/auction/3' })).toBeNull();
  });
  it('refuses what the server would refuse', () => {
    expect(problemOf({ ...ok, toUsername: ' ' })).toMatch(/username/);
    expect(problemOf({ ...ok, title: '  ' })).toMatch(/title/);
    expect(problemOf({ ...ok, title: 'x'.repeat(101) })).toMatch(/100/);
    expect(problemOf({ ...ok, body: 'x'.repeat(1001) })).toMatch(/1000/);
    expect(problemOf({ ...ok, url: 'https://elsewhere.example/' })).toMatch(/path/);
    expect(problemOf({ ...ok, url: '//elsewhere.example/' })).toMatch(/path/);
    expect(problemOf({ ...ok, url: '/' + 'x'.repeat(200) })).toMatch(/200/);
  });
});

describe('times', () => {
  const now = 1_700_000_000_000;
  it('are relative for a week', () => {
    expect(timeAgo(now - 10_000, now)).toBe('just now');
    expect(timeAgo(now + 5_000, now)).toBe('just now');
    expect(timeAgo(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(timeAgo(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(timeAgo(now - 2 * 86_400_000, now)).toBe('2 d ago');
    expect(timeAgo(now - 30 * 86_400_000, now)).toBe(new Date(now - 30 * 86_400_000).toLocaleDateString());
  });
});
