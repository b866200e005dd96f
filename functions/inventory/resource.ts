/**
 * The one small interface every resource kind implements: list everything in a region as
 * normalised records, and delete one. Plan and act stay apart: listing never changes anything,
 * and deletion is only ever asked for items the planner decided on.
 */
import type { CloudApi } from '../cloud/api.js';
import { errorFields } from '../cloud/errors.js';
import type { InventoryItem, ResourceKind } from './types.js';

export interface ListContext {
  /** Every kind this run lists: a kind may list differently when another is listed too. */
  readonly kinds: ReadonlySet<ResourceKind>;
  /** Runs `fn` once per key for the whole run, so two kinds share one listing. */
  once<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export interface KindListing {
  readonly items: InventoryItem[];
  /** Noticed while listing, not tied to one item (duplicates dropped). */
  readonly warnings: readonly string[];
}

export type DeleteOutcome = 'deleted' | 'already-gone' | 'refused' | 'failed';

export interface DeleteResult {
  readonly outcome: DeleteOutcome;
  /** The API's code for refused, failed and already-gone. */
  readonly code: string | null;
  readonly httpStatus: number | null;
  readonly requestId: string | null;
  readonly message: string | null;
  /** What was called, in order, with what came of it: `RemoveImage:ImageNotFound`, `DeleteImage:ok`. */
  readonly steps: readonly string[];
}

export interface ResourceModule {
  readonly kind: ResourceKind;
  /** The regions (or endpoints) this kind is listed in, given the policy's regions. */
  regions(policyRegions: readonly string[]): string[];
  list(api: CloudApi, region: string, ctx: ListContext): Promise<KindListing>;
  /** Deletes one item. Never throws for an API answer: every answer becomes an outcome. */
  remove(api: CloudApi, item: InventoryItem): Promise<DeleteResult>;
  /**
   * Reads one item again, as it is now, normalised as list() does; null when the API says it no
   * longer exists. Read-only; throws (CloudError, ListingError) when it cannot tell. The re-check
   * before each deletion (sweep/recheck.ts) compares this with what the decision was made on.
   * `item` is the record being re-read: a fact the one describe call cannot see is carried over.
   */
  describe(api: CloudApi, item: InventoryItem): Promise<InventoryItem | null>;
  /**
   * Re-reads several items of one region at once, where the API can (DescribeImages takes 100
   * IDs): by ID, null for one that is gone. Without it, describe() is called for each.
   */
  describeMany?(api: CloudApi, region: string, items: readonly InventoryItem[]): Promise<Map<string, InventoryItem | null>>;
}

export interface OutcomeCodes {
  /** The API saying the item does not exist. */
  readonly gone: ReadonlySet<string>;
  /** The API refusing because of the item's state (in use, shared, busy): the item stays. */
  readonly refused: ReadonlySet<string>;
}

/** Calls one deletion step and turns what happened into a result, or null when it succeeded. */
export async function deletionStep(
  steps: string[],
  label: string,
  codes: OutcomeCodes,
  call: () => Promise<unknown>,
): Promise<DeleteResult | null> {
  try {
    await call();
    steps.push(`${label}:ok`);
    return null;
  } catch (e) {
    const fields = errorFields(e);
    steps.push(`${label}:${fields.code}`);
    const outcome: DeleteOutcome = codes.gone.has(fields.code) ? 'already-gone' : codes.refused.has(fields.code) ? 'refused' : 'failed';
    return { outcome, ...fields, steps };
  }
}

export function deleted(steps: readonly string[]): DeleteResult {
  return { outcome: 'deleted', code: null, httpStatus: null, requestId: null, message: null, steps };
}
