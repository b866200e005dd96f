/** What the sweep did with each item it acted on. */
import type { ResourceKind } from '../inventory/types.js';
import type { Decision } from '../plan/types.js';

/**
 * deleted / already-gone / refused / failed: a `delete` decision (spec "What every item gets").
 * marked / unmarked: a `mark` or `unmark` decision (the grace tag written or removed).
 * skipped: not started because the run reached its deadline; the next run picks it up.
 */
export const OUTCOMES = ['deleted', 'already-gone', 'refused', 'failed', 'marked', 'unmarked', 'skipped'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ItemOutcome {
  readonly kind: ResourceKind;
  readonly region: string;
  readonly id: string;
  readonly name: string;
  readonly decision: Decision;
  readonly rule: string | null;
  readonly outcome: Outcome;
  /** The API's code behind refused, failed, already-gone; `Deadline` for skipped. */
  readonly code: string | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly message: string | null;
  /** Calls made for the item, in order, with their results. */
  readonly steps: readonly string[];
  readonly durationMs: number;
  /** Storage freed by this item (image size; snapshots when they were deleted too). */
  readonly gibReclaimed: number;
}
