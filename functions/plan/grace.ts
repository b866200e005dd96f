/**
 * The grace mark: a candidate under a rule with `grace` is tagged first and deleted on a later run,
 * once the mark is at least `grace` old. Only kinds we can tag carry a mark we wrote; a mark tag
 * found on another kind was not written by us and is ignored (we could not remove it either).
 */
import { TAGGABLE_KINDS, type InventoryItem } from '../inventory/types.js';
import { MARK_TAG_KEY } from '../policy/types.js';
import { CLOCK_SKEW_MS, formatAge, parseIsoTime } from './time.js';

export interface Mark {
  /** The tag's value as found; null when the item carries no mark. */
  readonly value: string | null;
  /** The time it records; null when there is no mark or it cannot be read. */
  readonly ms: number | null;
}

const NO_MARK: Mark = { value: null, ms: null };

export function readMark(item: InventoryItem): Mark {
  if (!TAGGABLE_KINDS.includes(item.kind) || !Object.hasOwn(item.tags, MARK_TAG_KEY)) return NO_MARK;
  const value = item.tags[MARK_TAG_KEY] ?? '';
  return { value, ms: parseIsoTime(value) };
}

export type GraceStep =
  | { readonly decision: 'mark'; readonly warning: string | null; readonly detail: string }
  | { readonly decision: 'wait'; readonly warning: string | null; readonly detail: string }
  | { readonly decision: 'delete'; readonly warning: null; readonly detail: string };

/** Where a candidate under a rule with grace stands. */
export function graceStep(mark: Mark, graceMs: number, graceText: string, nowMs: number): GraceStep {
  if (mark.value === null) return { decision: 'mark', warning: null, detail: `marking now, deleted once marked ${graceText}` };
  if (mark.ms === null) {
    // Starting the grace period over is the only reading of a garbled mark that cannot shorten it.
    const warning = `mark ${MARK_TAG_KEY}=${JSON.stringify(mark.value)} is not an ISO time; marking again`;
    return { decision: 'mark', warning, detail: `re-marking (the mark ${JSON.stringify(mark.value)} cannot be read), deleted once marked ${graceText}` };
  }
  const markedFor = nowMs - mark.ms;
  if (markedFor >= graceMs) {
    return { decision: 'delete', warning: null, detail: `marked ${formatAge(markedFor)} ago, grace ${graceText} is over` };
  }
  if (markedFor < 0) {
    const warning = mark.ms > nowMs + CLOCK_SKEW_MS ? `mark ${MARK_TAG_KEY}=${mark.value} is in the future` : null;
    return { decision: 'wait', warning, detail: `marked at ${mark.value} (in the future), grace ${graceText} not begun` };
  }
  return { decision: 'wait', warning: null, detail: `marked ${formatAge(markedFor)} ago, grace ${graceText} ends in ${formatAge(graceMs - markedFor)}` };
}
