/**
 * "Did you mean" for misspelled keys, modes and regions. Edit distance with transpositions
 * (optimal string alignment), because the typos we care about are `kepp` and `enforced`.
 */

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  // Three rolling rows (i-2, i-1, i): swaps look two rows back.
  let before = new Int32Array(b.length + 1);
  let previous = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

/**
 * The closest candidate, when it is close enough to be what was meant: at most 2 edits, or a
 * third of the word for long words. Case is ignored (`CN-Hangzhou` means `cn-hangzhou`).
 * Ties go to the first candidate in the given order, so suggestions are stable.
 */
export function closest(word: string, candidates: readonly string[]): string | null {
  // Long inputs cannot be a near-miss of a short candidate; skip the quadratic work.
  if (word.length > 200) return null;
  const lower = word.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === null || best === word || bestDistance > limit) return null;
  return best;
}

/** ` (did you mean X?)` or an empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const guess = closest(word, candidates);
  return guess === null ? '' : `; did you mean ${guess}?`;
}
