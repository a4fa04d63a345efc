import { describe, expect, it } from 'vitest';
import type { Message } from '../types';
import { applyAck, makePending, markFailed, mergeServerMessages, parseTimestamp, typingText } from './messages';

const msg = (id: number, text: string, userId = 2, at = 1_700_000_000_000 + id * 1000): Message => ({
  id,
  roomId: 1,
  userId,
  username: userId === 1 ? 'me' : 'bob',
  message: text,
  createdAt: new Date(at).toISOString(),
});

describe('parseTimestamp', () => {
  it('reads ISO strings, SQLite UTC strings, seconds and milliseconds', () => {
    expect(parseTimestamp('2026-01-02T03:04:05.000Z')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseTimestamp('2026-01-02 03:04:05')).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(parseTimestamp(1_767_323_045)).toBe(1_767_323_045_000);
    expect(parseTimestamp(1_767_323_045_123)).toBe(1_767_323_045_123);
    expect(parseTimestamp('1767323045')).toBe(1_767_323_045_000);
    expect(parseTimestamp('garbage')).toBeNull();
    expect(parseTimestamp(null)).toBeNull();
  });
});

describe('mergeServerMessages', () => {
  it('dedupes by id across history and live messages (rejoin after reconnect)', () => {
    let list = mergeServerMessages([], [msg(1, 'a'), msg(2, 'b')], 1);
    list = mergeServerMessages(list, [msg(3, 'c')], 1);
    list = mergeServerMessages(list, [msg(1, 'a'), msg(2, 'b'), msg(3, 'c'), msg(4, 'd')], 1);
    expect(list.map((m) => m.id)).toEqual([1, 2, 3, 4]);
  });

  it('treats numeric and string ids as the same id', () => {
    const list = mergeServerMessages([], [msg(7, 'x')], 1);
    const again = mergeServerMessages(list, [{ ...msg(7, 'x'), id: '7' }], 1);
    expect(again).toHaveLength(1);
  });

  it('orders by createdAt then id, whatever the arrival order', () => {
    const list = mergeServerMessages([], [msg(3, 'c'), msg(1, 'a'), msg(2, 'b')], 1);
    expect(list.map((m) => m.message)).toEqual(['a', 'b', 'c']);
  });

  it('ignores junk entries', () => {
    const list = mergeServerMessages([], [null, { id: 1 }, msg(2, 'ok')] as unknown as Message[], 1);
    expect(list.map((m) => m.id)).toEqual([2]);
  });

  it('returns the same array when nothing changes (no re-render)', () => {
    const list = mergeServerMessages([], [msg(1, 'a')], 1);
    expect(mergeServerMessages(list, [msg(1, 'a')], 1)).toBe(list);
  });

  it('keeps pending messages after server ones', () => {
    let list = [makePending('t1', 1, 1, 'me', 'mine')];
    list = mergeServerMessages(list, [msg(1, 'a'), msg(2, 'b')], 1);
    expect(list.map((m) => m.message)).toEqual(['a', 'b', 'mine']);
  });
});

describe('own message: pending → sent, never duplicated', () => {
  it('ack first, then receiveMessage', () => {
    let list = [makePending('t1', 1, 1, 'me', 'hello')];
    expect(list[0].status).toBe('pending');
    list = applyAck(list, 't1', { success: true, id: 10 });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 10, status: 'sent', key: 't:t1' });
    list = mergeServerMessages(list, [msg(10, 'hello', 1)], 1);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 10, status: 'sent', key: 't:t1' });
  });

  it('receiveMessage first (the server broadcasts before it acks), then the ack', () => {
    let list = [makePending('t1', 1, 1, 'me', 'hello')];
    list = mergeServerMessages(list, [msg(10, 'hello', 1)], 1);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 10, status: 'sent', key: 't:t1' });
    list = applyAck(list, 't1', { success: true, id: 10 });
    expect(list).toHaveLength(1);
    expect(list[0].status).toBe('sent');
  });

  it('two identical texts in flight: each server copy takes one pending row', () => {
    let list = [makePending('t1', 1, 1, 'me', 'hi'), makePending('t2', 1, 1, 'me', 'hi')];
    list = mergeServerMessages(list, [msg(10, 'hi', 1)], 1);
    list = applyAck(list, 't2', { success: true, id: 11 });
    list = mergeServerMessages(list, [msg(11, 'hi', 1)], 1);
    list = applyAck(list, 't1', { success: true, id: 10 });
    expect(list.map((m) => [m.id, m.status])).toEqual([
      [10, 'sent'],
      [11, 'sent'],
    ]);
  });

  it('a message from someone else with the same text is not mistaken for ours', () => {
    let list = [makePending('t1', 1, 1, 'me', 'hi')];
    list = mergeServerMessages(list, [msg(10, 'hi', 2)], 1);
    expect(list).toHaveLength(2);
    expect(list.find((m) => m.tempId === 't1')?.status).toBe('pending');
  });

  it('a failed ack marks the message failed; a late broadcast still confirms it', () => {
    let list = [makePending('t1', 1, 1, 'me', 'hello')];
    list = applyAck(list, 't1', { success: false, error: 'Message too long' });
    expect(list[0]).toMatchObject({ status: 'failed', error: 'Message too long' });
    list = markFailed(list, 't1', 'timeout'); // already failed: unchanged
    expect(list[0].error).toBe('Message too long');
    list = mergeServerMessages(list, [msg(10, 'hello', 1)], 1);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: 10, status: 'sent' });
  });

  it('an ack whose id is already listed in another row drops the optimistic copy', () => {
    let list = mergeServerMessages([], [msg(10, 'hello', 1)], null);
    list = [...list, makePending('t1', 1, 1, 'me', 'hello')];
    list = applyAck(list, 't1', { success: true, id: 10 });
    expect(list).toHaveLength(1);
    expect(list[0].id).toBe(10);
  });

  it('an ack for an unknown temp id changes nothing', () => {
    const list = [makePending('t1', 1, 1, 'me', 'x')];
    expect(applyAck(list, 'nope', { success: true, id: 1 })).toBe(list);
  });
});

describe('typingText', () => {
  it('phrases one, two, three and many typists', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['alice'])).toBe('alice is typing…');
    expect(typingText(['alice', 'bob'])).toBe('alice and bob are typing…');
    expect(typingText(['a', 'b', 'c'])).toBe('a, b and c are typing…');
    expect(typingText(['a', 'b', 'c', 'd'])).toBe('4 people are typing…');
  });
});
