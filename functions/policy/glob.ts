/**
 * Globs as the policy spells them: `*` is any run of characters, `?` one character, everything
 * else literal, and the whole string must match (anchored). Brackets, braces and backslashes are
 * refused rather than taken literally, because a user who writes them expects a meaning we do not
 * give them, and a selector that silently means something else is how the wrong image is deleted.
 */

export interface Glob {
  readonly source: string;
  test(value: string): boolean;
}

const FORBIDDEN = /[[\]{}\\]/;

/** Why `source` is not a glob, or null when it is one. */
export function globProblem(source: string): string | null {
  if (source.length === 0) return 'a glob cannot be empty';
  const bad = FORBIDDEN.exec(source);
  if (bad) return `'${bad[0]}' is not supported in globs (only * and ? are special)`;
  return null;
}

export function compileGlob(source: string, options: { ignoreCase?: boolean } = {}): Glob {
  const problem = globProblem(source);
  if (problem) throw new Error(`bad glob ${JSON.stringify(source)}: ${problem}`);
  const body = Array.from(source, (ch) => {
    if (ch === '*') return '[\\s\\S]*';
    if (ch === '?') return '[\\s\\S]';
    // Only characters special outside a class are escaped: under the `u` flag an escaped `-` or `/` is an error.
    return ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  const re = new RegExp(`^${body}$`, options.ignoreCase ? 'iu' : 'u');
  return { source, test: (value: string) => re.test(value) };
}

/** True when any glob matches. */
export function anyGlob(globs: readonly Glob[], value: string): boolean {
  return globs.some((g) => g.test(value));
}
