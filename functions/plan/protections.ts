/**
 * Protections: what no rule can delete, whatever it says. They are evaluated for every listed item,
 * matched or not, and a fact that could not be established (`value: null`) protects, because
 * "we could not tell whether it is in use" must never read as "not in use".
 */
import type { Fact, InventoryItem } from '../inventory/types.js';
import { compileGlob } from '../policy/glob.js';
import { BUILTIN_KEEP_TAG, type Policy, type TagCondition } from '../policy/types.js';
import type { ProtectReason } from './types.js';
import { tagConditionHolds } from './match.js';
import type { CreationTime } from './time.js';

export interface Protection {
  readonly reason: ProtectReason;
  /** The evidence, quoted for a person: `Usage=instance (in use by instances)`. */
  readonly text: string;
}

export type ProtectionCheck = (item: InventoryItem, created: CreationTime) => Protection[];

/**
 * Built once per plan. Order of the result is the order of importance: what the operator said
 * (tag, ID) first, then what the account and the cloud say, then what we could not read.
 */
export function protectionCheck(policy: Policy): ProtectionCheck {
  const tagConditions = withBuiltinKeepTag(policy.protect.tags);
  const ids = new Set(policy.protect.ids);
  return (item, created) => {
    const found: Protection[] = [];
    const tagTexts: string[] = [];
    for (const condition of tagConditions) {
      if (!tagConditionHolds(condition, item.tags)) continue;
      const text = `tag ${condition.key}=${item.tags[condition.key] ?? ''}`;
      if (!tagTexts.includes(text)) tagTexts.push(text);
    }
    // Tags that could not be read may hold the keep tag: protect, as for any fact we could not read.
    if (item.tagsProblem) tagTexts.push(`${item.tagsProblem} (cannot tell whether it is tagged keep, so kept)`);
    if (tagTexts.length > 0) found.push({ reason: 'tag', text: tagTexts.join(', ') });
    if (ids.has(item.id)) found.push({ reason: 'id', text: `ID ${item.id} is in protect.ids` });
    unless(found, 'not-owned', item.owned, true, 'not owned by this account', 'ownership unknown');
    unless(found, 'in-use', item.inUse, false, inUseMeaning(item), 'use unknown');
    unless(found, 'shared', item.shared, false, 'shared with other accounts', 'sharing unknown');
    unless(found, 'public', item.isPublic, false, 'public or community image', 'visibility unknown');
    if (item.kind === 'image-pipeline') {
      unless(found, 'running-execution', item.atRest, true, 'an execution is running', 'execution state unknown');
    } else {
      unless(found, 'busy', item.atRest, true, 'not at rest', 'state unknown');
    }
    if (created.problem !== null) found.push({ reason: 'unknown-age', text: ageProblemText(item, created) });
    return found;
  };
}

/**
 * The built-in keep tag is in force even if a hand-built policy forgot it, or compiled it
 * case-sensitively (protect values compare case-insensitively): it cannot be switched off.
 */
function withBuiltinKeepTag(tags: readonly TagCondition[]): readonly TagCondition[] {
  const value = BUILTIN_KEEP_TAG.value;
  const listed = tags.some((t) => t.key === BUILTIN_KEEP_TAG.key && t.value.test(value) && t.value.test(value.toUpperCase()));
  if (listed) return tags;
  return [...tags, { key: BUILTIN_KEEP_TAG.key, value: compileGlob(BUILTIN_KEEP_TAG.value, { ignoreCase: true }) }];
}

/** Adds a protection unless the fact is known to have the safe value. */
function unless(
  found: Protection[],
  reason: ProtectReason,
  fact: Fact,
  safe: boolean,
  meaningWhenUnsafe: string,
  meaningWhenUnknown: string,
): void {
  if (fact.value === safe) return;
  const meaning = fact.value === null ? `${meaningWhenUnknown}, so kept` : meaningWhenUnsafe;
  found.push({ reason, text: `${fact.evidence} (${meaning})` });
}

function inUseMeaning(item: InventoryItem): string {
  // The evidence names what uses it (instances, a launch template, a pipeline…); only Usage alone means instances.
  const byInstancesOnly = item.inUse.evidence.startsWith('Usage=instance') && !item.inUse.evidence.includes(';');
  return (item.kind === 'ecs-image' || item.kind === 'ehpc-image') && byInstancesOnly ? 'in use by instances' : 'in use';
}

function ageProblemText(item: InventoryItem, created: CreationTime): string {
  if (created.problem === 'future') return `creation time ${item.createdAt ?? ''} is in the future (age unknown)`;
  const raw = item.createdAtRaw ?? item.createdAt;
  if (raw === null || raw === '') return 'no creation time (age unknown)';
  return `creation time ${JSON.stringify(raw)} cannot be read (age unknown)`;
}
