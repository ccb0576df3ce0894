// Approximate string search: every place where a pattern occurs with the fewest edits, at most a given
// number. Myers' bit-vector algorithm in blocks of 32 pattern characters, computing only the blocks
// whose errors can still be within the limit (G. Myers, "A Fast Bit-Vector Algorithm for Approximate
// String Matching Based on Dynamic Programming", J. ACM 46(3), 1999, Fig. 9).
//
// It gives exactly the results of approx-string-match's `search`, which the tests compare it with on
// random inputs, but keeps the pattern's bit masks in one flat table and the first block in local
// variables, with no call per text character: Firefox ran the library's version 2.0–2.5 times
// slower than Chromium, and this one about 1.8 times; it is about 1.5 times faster than the
// library's in Firefox (`docs/performance.md`).

export interface ApproxMatch {
  /** Where the match starts in the text (of several starts with as few edits, the earliest). */
  start: number;
  end: number;
  /** Edits (insertions, deletions, substitutions) between the pattern and `text.slice(start, end)`. */
  errors: number;
}

const W = 32;
/** The first characters get a row of their own in the mask table; others share a map. */
const DIRECT = 256;

/**
 * The matches of `pattern` in `text` with the fewest errors, if that is at most `maxErrors`: every
 * place ending with that number of errors, in order. None for an empty pattern.
 */
export function approxSearch(text: string, pattern: string, maxErrors: number): ApproxMatch[] {
  const ends = matchEnds(text, pattern, maxErrors);
  if (ends.length === 0) return ends;
  const reversed = reverse(pattern);
  return ends.map((m) => {
    // The start: search the reversed pattern backwards from the end with as many errors, and take the
    // start that makes the match longest.
    const from = Math.max(0, m.end - pattern.length - m.errors);
    let start = m.end;
    for (const r of matchEnds(reverse(text.slice(from, m.end)), reversed, m.errors)) {
      start = Math.min(start, m.end - r.end);
    }
    return { start, end: m.end, errors: m.errors };
  });
}

function reverse(s: string): string {
  return s.split('').reverse().join('');
}

/** 1 for a number that is not zero, else 0, without a branch. */
function nonZero(n: number): number {
  return ((n | -n) >> 31) & 1;
}

/** The ends (with `start: -1`) of the fewest-error matches, as `approxSearch` defines them. */
function matchEnds(text: string, pattern: string, limit: number): ApproxMatch[] {
  const m = pattern.length;
  const found: ApproxMatch[] = [];
  if (m === 0) return found;
  let maxErrors = Math.min(limit, m);
  const blocks = Math.ceil(m / W);
  const last = blocks - 1;

  // peq[b * rows + row]: bit i set where the pattern's character b * 32 + i is the row's character.
  const rowOf = new Map<number, number>();
  for (let i = 0; i < m; i++) {
    const c = pattern.charCodeAt(i);
    if (c >= DIRECT && !rowOf.has(c)) rowOf.set(c, DIRECT + 1 + rowOf.size);
  }
  const none = DIRECT; // the row of characters the pattern does not hold: all zeros
  const rows = DIRECT + 1 + rowOf.size;
  const peq = new Int32Array(rows * blocks);
  for (let i = 0; i < m; i++) {
    const c = pattern.charCodeAt(i);
    peq[(i >>> 5) * rows + (c < DIRECT ? c : rowOf.get(c)!)]! |= 1 << (i & 31);
  }
  const wide = rowOf.size > 0;
  const lastRowBit = 1 << ((m - 1) % W);
  const lastBlockRows = m % W === 0 ? W : m % W;

  // Vertical deltas of each block (P: +1, M: -1) and the score of each block's bottom row.
  const P = new Int32Array(blocks);
  const M = new Int32Array(blocks);
  const score = new Int32Array(blocks);
  // The last block computed in this column: errors below it are over the limit.
  let y = Math.max(0, Math.ceil(maxErrors / W) - 1);
  for (let b = 0; b <= y; b++) {
    score[b] = (b + 1) * W;
    P[b] = -1;
  }
  score[last] = m;

  const report = (end: number, errors: number) => {
    if (errors < maxErrors) found.length = 0;
    found.push({ start: -1, end, errors });
    // Only the fewest-error matches are kept: later ones must do as well.
    maxErrors = errors;
  };

  const n = text.length;
  let j = 0;
  while (j < n) {
    // Where this column's step starts: block 0, or block 1 when the fast loop below has computed block
    // 0 and switched block 1 on.
    let from = 0;
    let carry = 0;
    let grown = false;
    if (y === 0) {
      // Only the first block is computed: its state stays in locals while that lasts.
      let pV = P[0]!;
      let mV = M[0]!;
      let s = score[0]!;
      let h = 0;
      const bottom = last === 0 ? lastRowBit : 1 << 31;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        const row = c < DIRECT ? c : wide ? (rowOf.get(c) ?? none) : none;
        const eq = peq[row]!;
        const xV = eq | mV;
        const xH = ((((eq & pV) + pV) | 0) ^ pV) | eq;
        const pH = mV | ~(xH | pV);
        const mH = pV & xH;
        h = nonZero(pH & bottom) - nonZero(mH & bottom);
        s += h;
        const pH1 = pH << 1;
        pV = (mH << 1) | ~(xV | pH1);
        mV = pH1 & xV;
        if (last === 0) {
          if (s <= maxErrors) report(j + 1, s);
        } else if (s - h <= maxErrors && ((peq[rows + row]! & 1) !== 0 || h < 0)) {
          break;
        }
      }
      P[0] = pV;
      M[0] = mV;
      score[0] = s;
      if (j === n) break;
      // The second block can come within the limit: switch it on and go on with it in this column.
      y = 1;
      P[1] = -1;
      M[1] = 0;
      score[1] = s + (last === 1 ? lastBlockRows : W) - h;
      from = 1;
      carry = h;
      grown = true;
    }

    const c = text.charCodeAt(j);
    const row = c < DIRECT ? c : wide ? (rowOf.get(c) ?? none) : none;
    // The last block computed in this column: y, or the one after it once that is switched on.
    let top = y;
    for (let b = from; b <= top; b++) {
      // One block's step (Myers, Fig. 8): its vertical deltas for this character, and the horizontal
      // delta out of its bottom row. `carry` comes in from the block above (0 for the first block: a
      // match may start anywhere).
      const pV = P[b]!;
      const mV = M[b]!;
      const hInNegative = carry >>> 31;
      const eq = peq[b * rows + row]! | hInNegative;
      const xV = eq | mV;
      const xH = ((((eq & pV) + pV) | 0) ^ pV) | eq;
      const pH = mV | ~(xH | pV);
      const mH = pV & xH;
      const bottom = b === last ? lastRowBit : 1 << 31;
      const pH1 = (pH << 1) | (nonZero(carry) - hInNegative);
      const mH1 = (mH << 1) | hInNegative;
      P[b] = mH1 | ~(xV | pH1);
      M[b] = pH1 & xV;
      carry = nonZero(pH & bottom) - nonZero(mH & bottom);
      score[b]! += carry;
      if (
        b === y &&
        !grown &&
        y < last &&
        score[y]! - carry <= maxErrors &&
        ((peq[(y + 1) * rows + row]! & 1) !== 0 || carry < 0)
      ) {
        // The next block can come within the limit: switch it on, from this column.
        top = y + 1;
        P[top] = -1;
        M[top] = 0;
        score[top] = score[y]! + (top === last ? lastBlockRows : W) - carry;
      }
    }
    if (top > y) y = top;
    else if (!grown) while (y > 0 && score[y]! >= maxErrors + W) y--;
    if (y === last && score[y]! <= maxErrors) report(j + 1, score[y]!);
    j++;
  }
  return found;
}
