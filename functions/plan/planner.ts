/**
 * The planner: inventory + policy + clock → one decision per item. Pure: no I/O, no clock reads,
 * no randomness, inputs untouched; the same inputs in any item order give a deep-equal plan. The
 * dry run and the real run both execute this plan, so what a dry run shows is what would happen.
 * Meaning: ../../shared/spec/policy.md ("How a decision is made", "What every item gets").
 */
import { TAGGABLE_KINDS, type Inventory } from '../inventory/types.js';
import type { Policy } from '../policy/types.js';
import { countDecisions, type Plan } from './types.js';
import { abortFailedListings, abortOverPercent, deferOverRunLimit } from './caps.js';
import { decide } from './decide.js';
import { toPlanItem } from './draft.js';
import { evaluateRules, type Evaluated } from './keep.js';
import { compareForPlan, kindRegionRanker } from './order.js';
import { protectionCheck } from './protections.js';
import { readCreationTime } from './time.js';

export function plan(inventory: Inventory, policy: Policy, now: Date): Plan {
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('plan: `now` is not a valid date');
  assertPlannable(policy);

  const entries: Evaluated[] = inventory.items.map((item) => ({ item, created: readCreationTime(item, nowMs) }));
  const verdicts = evaluateRules(entries, policy.rules, nowMs);
  const protectionsOf = protectionCheck(policy);
  const rankOf = kindRegionRanker(inventory.items);
  const drafts = entries.map(({ item, created }, index) =>
    decide({ item, created, kindRegionRank: rankOf(item), protections: protectionsOf(item, created), verdicts: verdicts[index] ?? [] }, nowMs),
  );

  // The percent cap judges the plan as the rules made it; the per-run cap then counts only what is left.
  const aborted = abortOverPercent(drafts, policy.limits.maxDeletionPercent);
  abortFailedListings(drafts, inventory.failures);
  deferOverRunLimit(drafts, policy.limits.maxDeletionsPerRun);

  drafts.sort(compareForPlan);
  return { now: now.toISOString(), items: drafts.map(toPlanItem), aborted, counts: countDecisions(drafts) };
}

/**
 * The policy loader refuses grace on kinds we cannot tag; a policy that has one anyway did not come
 * through it. Planning it would either mark what cannot be marked or drop the grace and delete at
 * once, so refuse instead.
 */
function assertPlannable(policy: Policy): void {
  for (const rule of policy.rules) {
    if (rule.graceMs !== undefined && !TAGGABLE_KINDS.includes(rule.resource)) {
      throw new Error(`plan: rule ${rule.name} has grace on ${rule.resource}, which cannot be tagged`);
    }
  }
}
