// The mapping between CodeMirror's changes and text operations, on CodeMirror's own state.
import { describe, expect, it } from 'vitest';
import { EditorState } from '@codemirror/state';
import { TextOperation } from '../ot';
import { Random } from '../ot/random';
import { changesToOperation, exactText, remoteTransaction, safeColor } from './codemirror';

const state = (doc: string) => EditorState.create({ doc, extensions: exactText });

describe('CodeMirror changes and operations', () => {
  it('turns an edit into the operation doing the same', () => {
    const s = state('hello world');
    const tr = s.update({ changes: [{ from: 0, to: 5, insert: 'Hi' }, { from: 11, insert: '!' }] });
    const op = changesToOperation(tr.changes);
    expect(op.toJSON()).toEqual(['Hi', -5, 6, '!']);
    expect(op.apply('hello world')).toBe(tr.newDoc.toString());
  });

  it('counts UTF-16 units and keeps "\\r" as a character', () => {
    const doc = 'a😀\r\nb';
    const s = state(doc);
    expect(s.doc.length).toBe(doc.length);
    expect(s.doc.toString()).toBe(doc);
    const tr = s.update({ changes: { from: 3, insert: 'é' } });
    expect(changesToOperation(tr.changes).toJSON()).toEqual([3, 'é', 3]);
  });

  it('applies random operations as the OT core does, both ways', () => {
    const rng = new Random(5);
    let doc = rng.text(20);
    let s = state(doc);
    for (let i = 0; i < 300; i++) {
      const op: TextOperation = rng.operation(doc);
      const tr = s.update(remoteTransaction(op));
      doc = op.apply(doc);
      s = tr.state;
      expect(s.doc.toString()).toBe(doc);
      expect(changesToOperation(tr.changes).equals(op)).toBe(true);
    }
  });

  it('accepts CSS colours and nothing else', () => {
    expect(safeColor('hsl(210 70% 45%)')).toBe('hsl(210 70% 45%)');
    expect(safeColor('#e11d48')).toBe('#e11d48');
    expect(safeColor('red; background: url(x)')).toBe('#6b7280');
  });
});
