import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const RESULTS_DIR = join(ROOT, 'bench-results');

/** A fresh scratch directory under bench-results/ (git-ignored). */
export function scratchDir(prefix: string): string {
  const base = join(RESULTS_DIR, 'tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, `${prefix}-`));
}
