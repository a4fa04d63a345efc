// CodeMirror 6 and the OT core: editor changes become TextOperations and back (both count UTF-16
// units), and the other editors' cursors are drawn as coloured carets and selections.
import {
  Annotation,
  EditorState,
  StateEffect,
  StateField,
  Transaction,
  type ChangeSet,
  type ChangeSpec,
  type Extension,
  type TransactionSpec,
} from '@codemirror/state';
import { Decoration, EditorView, WidgetType, type DecorationSet } from '@codemirror/view';
import { TextOperation } from '../ot';
import type { RemoteCursor } from '../session';

/** Marks the transactions that apply another client's operation (not sent back). */
export const remoteChange = Annotation.define<boolean>();

/** The operation of a change set on a document of `length` units. */
export function changesToOperation(changes: ChangeSet): TextOperation {
  const op = new TextOperation();
  let pos = 0;
  changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
    op.retain(fromA - pos).insert(inserted.toString()).delete(toA - fromA);
    pos = toA;
  });
  return op.retain(changes.length - pos);
}

/** The editor changes of an operation, positions in the document it applies to. */
export function operationToChanges(op: TextOperation): ChangeSpec[] {
  const changes: ChangeSpec[] = [];
  let pos = 0;
  for (const c of op.ops) {
    if (typeof c === 'string') changes.push({ from: pos, insert: c });
    else if (c > 0) pos += c;
    else {
      changes.push({ from: pos, to: pos - c });
      pos -= c;
    }
  }
  return changes;
}

/** The transaction applying another client's operation: not an echo, not undoable here. */
export function remoteTransaction(op: TextOperation): TransactionSpec {
  return {
    changes: operationToChanges(op),
    annotations: [remoteChange.of(true), Transaction.addToHistory.of(false)],
  };
}

/** Line breaks are "\n" only, so that every other character, "\r" too, counts as on the server. */
export const exactText: Extension = EditorState.lineSeparator.of('\n');

const colorPattern = /^(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla)\([-0-9.,%\s/a-z]*\)|[a-z]{3,20})$/i;

/** A colour from the server as CSS, or a neutral grey when it does not look like one. */
export function safeColor(color: string): string {
  return colorPattern.test(color.trim()) ? color.trim() : '#6b7280';
}

class CaretWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly color: string,
  ) {
    super();
  }
  override eq(other: CaretWidget): boolean {
    return other.name === this.name && other.color === this.color;
  }
  toDOM(): HTMLElement {
    const caret = document.createElement('span');
    caret.className = 'ed-remote-caret';
    caret.style.borderLeftColor = this.color;
    caret.setAttribute('aria-hidden', 'true');
    const label = document.createElement('span');
    label.className = 'ed-remote-caret-label';
    label.style.backgroundColor = this.color;
    label.textContent = this.name;
    caret.appendChild(label);
    return caret;
  }
  override ignoreEvent(): boolean {
    return true;
  }
}

/** Replaces the drawn remote cursors. */
export const setRemoteCursors = StateEffect.define<RemoteCursor[]>();

function cursorDecorations(cursors: RemoteCursor[], length: number): DecorationSet {
  const ranges = [];
  for (const c of cursors) {
    const color = safeColor(c.color);
    const index = Math.min(c.index, length);
    const end = Math.min(c.selectionEnd ?? index, length);
    if (end !== index) {
      ranges.push(
        Decoration.mark({
          class: 'ed-remote-selection',
          attributes: { style: `background-color: color-mix(in srgb, ${color} 22%, transparent)` },
        }).range(Math.min(index, end), Math.max(index, end)),
      );
    }
    ranges.push(Decoration.widget({ widget: new CaretWidget(c.username, color), side: 1 }).range(index));
  }
  return Decoration.set(ranges, true);
}

/** The other editors' cursors: set by setRemoteCursors, moved along by every change meanwhile. */
export const remoteCursors = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(deco, tr) {
    for (const e of tr.effects) {
      if (e.is(setRemoteCursors)) return cursorDecorations(e.value, tr.newDoc.length);
    }
    return deco.map(tr.changes);
  },
  provide: (f) => EditorView.decorations.from(f),
});
