/**
 * Policy errors as the operator sees them: file, line, column (1-based), the path of the key
 * (`rules[1].keep.newest`) and a message. All of them at once, in the order they appear in
 * the file, so one edit-and-rerun fixes everything.
 */
import type { PathSegment } from './yaml-source.js';

export interface PolicyError {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  readonly column: number;
  /** The key the error is about, `rules[1].keep.newest`; empty for the whole file. */
  readonly path: string;
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `rules[1].keep.newest`, `protect.tags["image-gc:keep"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** In file order (line, column, then path and message for a stable order), each error once. */
export function sortPolicyErrors(errors: readonly PolicyError[]): PolicyError[] {
  const seen = new Set<string>();
  const unique = errors.filter((e) => {
    const key = JSON.stringify([e.file, e.line, e.column, e.path, e.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** One `file:line:column: path: message` per line (the path is left out when empty). */
export function formatPolicyErrors(errors: readonly PolicyError[]): string {
  return errors
    .map((e) => `${e.file}:${e.line}:${e.column}: ${e.path === '' ? '' : `${e.path}: `}${e.message}`)
    .join('\n');
}
