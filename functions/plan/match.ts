/**
 * Does a rule's `match` hold for an item? Every condition given must hold; a condition on a field
 * the item lacks (null family, no such tag) does not hold, so a rule never reaches an item by
 * accident of missing data. No conditions at all: everything of the rule's kind.
 */
import type { InventoryItem } from '../inventory/types.js';
import { anyGlob } from '../policy/glob.js';
import type { Match, Rule, TagCondition } from '../policy/types.js';

export type ItemPredicate = (item: InventoryItem) => boolean;

/** True when the item carries the tag key and its value matches the condition's glob. */
export function tagConditionHolds(condition: TagCondition, tags: Readonly<Record<string, string>>): boolean {
  // hasOwn: a tag map is data, and `constructor` or `__proto__` must not be found on its prototype.
  if (!Object.hasOwn(tags, condition.key)) return false;
  const value = tags[condition.key];
  return typeof value === 'string' && condition.value.test(value);
}

/** Compiled once per rule, so matching a large fleet does not redo the lowercasing per item. */
export function ruleMatcher(rule: Rule): ItemPredicate {
  const checks = matchChecks(rule.match);
  return (item) => item.kind === rule.resource && checks.every((check) => check(item));
}

function matchChecks(match: Match): ItemPredicate[] {
  const checks: ItemPredicate[] = [];
  const { name, tags, status, osTag, family, productType } = match;
  if (name) checks.push((item) => anyGlob(name, item.name));
  if (tags) checks.push((item) => tags.every((condition) => tagConditionHolds(condition, item.tags)));
  if (status) checks.push(caselessAny(status, (item) => item.status));
  if (osTag) checks.push((item) => item.osTag !== null && anyGlob(osTag, item.osTag));
  if (family) checks.push((item) => item.family !== null && anyGlob(family, item.family));
  if (productType) checks.push(caselessAny(productType, (item) => item.productType));
  return checks;
}

function caselessAny(wanted: readonly string[], field: (item: InventoryItem) => string | null): ItemPredicate {
  const set = new Set(wanted.map((w) => w.toLowerCase()));
  return (item) => {
    const value = field(item);
    return value !== null && set.has(value.toLowerCase());
  };
}
