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

/**
 * What became of one snapshot behind a deleted image (rules with deleteSnapshots). A snapshot's
 * outcome never changes its image's: the image is deleted whatever happens to its snapshots.
 * deleted / already-gone: DeleteSnapshot succeeded, or said it does not exist.
 * kept: something else uses it (another image, a disk, a launch template or scaling configuration).
 * refused: ECS refused (SnapshotCreatedImage, SnapshotCreatedDisk, …); the code is logged.
 * failed: a check or the deletion failed after retries. skipped: the run reached its deadline.
 */
export const SNAPSHOT_OUTCOMES = ['deleted', 'already-gone', 'kept', 'refused', 'failed', 'skipped'] as const;
export type SnapshotOutcomeKind = (typeof SNAPSHOT_OUTCOMES)[number];

export interface SnapshotOutcome {
  readonly kind: ResourceKind;
  readonly region: string;
  readonly imageId: string;
  readonly imageName: string;
  readonly rule: string | null;
  readonly snapshotId: string;
  readonly sizeGiB: number | null;
  readonly outcome: SnapshotOutcomeKind;
  readonly code: string | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly message: string | null;
  /** What the check before deleting found. */
  readonly detail: string;
  readonly steps: readonly string[];
  /** The snapshot's size when it was deleted, else 0. */
  readonly gibReclaimed: number;
}
