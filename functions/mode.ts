/**
 * Which mode a run is in. The policy sets it; every other source (the --dry-run flag, the
 * IMAGE_GC_MODE variable, the timer payload) may only turn a run into a dry-run, never the other
 * way: nothing outside the reviewed policy file can make image-gc delete.
 */
import type { Mode } from './policy/types.js';

export interface ModeAsk {
  /** Where the ask came from, for the log: `--dry-run flag`, `IMAGE_GC_MODE`, `trigger payload`. */
  readonly by: string;
  readonly mode: Mode | undefined;
}

export interface ResolvedMode {
  readonly mode: Mode;
  /** Why, in a few words: `policy`, `policy mode dry-run`, `--dry-run flag`. */
  readonly reason: string;
  /** Asks for enforce that a dry-run policy overrules. */
  readonly ignored: readonly string[];
}

export function resolveMode(policyMode: Mode, asks: readonly ModeAsk[]): ResolvedMode {
  const dryAsk = asks.find((a) => a.mode === 'dry-run');
  const ignored = policyMode === 'dry-run' ? asks.filter((a) => a.mode === 'enforce').map((a) => `${a.by} asked for enforce; the policy says dry-run`) : [];
  if (policyMode === 'dry-run') return { mode: 'dry-run', reason: 'policy mode dry-run', ignored };
  if (dryAsk) return { mode: 'dry-run', reason: dryAsk.by, ignored };
  return { mode: 'enforce', reason: 'policy mode enforce', ignored };
}

/** `dry-run` / `enforce` from a variable or payload field; anything else is refused. */
export function parseMode(value: unknown, source: string): Mode | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value === 'dry-run' || value === 'enforce') return value;
  throw new Error(`${source} must be "dry-run" or "enforce", not ${JSON.stringify(value)}`);
}
