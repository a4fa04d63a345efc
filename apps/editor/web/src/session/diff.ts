// An operation turning one text into another that keeps as much of it as it can: the common prefix
// and suffix are retained and the middle compared character by character (Myers' diff, on code
// points so that no surrogate pair is cut). A middle that differs by more than `maxEdits`
// characters is replaced whole.
import { TextOperation } from '../ot';

const maxEdits = 1000;

export function diffOperation(from: string, to: string): TextOperation {
  const a = Array.from(from);
  const b = Array.from(to);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < a.length - prefix &&
    suffix < b.length - prefix &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  ) {
    suffix++;
  }
  const op = new TextOperation().retain(units(a, 0, prefix));
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const script = editScript(midA, midB);
  if (script) for (const [kind, text] of script) apply(op, kind, text);
  else op.delete(midA.join('').length).insert(midB.join(''));
  return op.retain(units(a, a.length - suffix, a.length));
}

const units = (chars: string[], from: number, to: number) => chars.slice(from, to).join('').length;

type Edit = ['keep' | 'delete' | 'insert', string];

function apply(op: TextOperation, kind: Edit[0], text: string): void {
  if (kind === 'keep') op.retain(text.length);
  else if (kind === 'delete') op.delete(text.length);
  else op.insert(text);
}

/** Myers' shortest edit script from a to b, or null beyond maxEdits. */
function editScript(a: string[], b: string[]): Edit[] | null {
  const n = a.length;
  const m = b.length;
  const offset = maxEdits + 1;
  const v = new Int32Array(2 * offset + 1);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(n + m, maxEdits); d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]);
      let x = down ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d);
    }
  }
  return null;
}

/** Walks the recorded frontiers back from (n, m) to (0, 0), merging runs of one kind. */
function backtrack(trace: Int32Array[], a: string[], b: string[], dEnd: number): Edit[] {
  const out: Edit[] = [];
  const push = (kind: Edit[0], text: string) => {
    const last = out[out.length - 1];
    if (last && last[0] === kind) last[1] = text + last[1];
    else out.push([kind, text]);
  };
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d >= 0; d--) {
    const frontier = trace[d]; // v[k] for k in -d-1 .. d+1, at index k + d + 1
    const at = (k: number) => frontier[k + d + 1];
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY && x > 0 && y > 0 && a[x - 1] === b[y - 1]) {
      push('keep', a[x - 1]);
      x--;
      y--;
    }
    if (d === 0) break;
    if (down) push('insert', b[--y]);
    else push('delete', a[--x]);
  }
  return out.reverse();
}
