/**
 * One item's decision before the caps: protected, kept, unmatched, or a candidate (delete, mark,
 * wait). A marked item that is not a candidate is unmarked, so that when whatever saved it goes
 * away (a keep tag removed, an instance terminated) its grace starts over instead of a stale
 * mark letting it be deleted in the same run.
 */
import type { InventoryItem } from '../inventory/types.js';
import type { Reason } from './types.js';
import { newDraft, type Draft } from './draft.js';
import { describeCandidate, describeKept, describeProtections, sentence } from './explain.js';
import { graceStep, readMark, type Mark } from './grace.js';
import type { RuleVerdict } from './keep.js';
import type { Protection } from './protections.js';
import type { CreationTime } from './time.js';
import { formatDuration } from '../policy/duration.js';

export interface ItemFindings {
  readonly item: InventoryItem;
  readonly created: CreationTime;
  /** See order.ts: where the item's region and kind sort. */
  readonly kindRegionRank: number;
  readonly protections: readonly Protection[];
  /** The verdicts of the rules that match the item, in policy order. */
  readonly verdicts: readonly RuleVerdict[];
}

export function decide(findings: ItemFindings, nowMs: number): Draft {
  const { item, created, kindRegionRank, protections, verdicts } = findings;
  const mark = readMark(item);
  const marked = mark.value !== null;
  const base = [item, created.readMs, kindRegionRank, mark.value] as const;

  if (protections.length > 0) {
    const reasons = protections.map((p) => p.reason);
    const detail = describeProtections(protections, wouldOtherwise(verdicts));
    // An item we do not own cannot be untagged by us; its mark (if any) is someone else's business.
    if (marked && !reasons.includes('not-owned')) return newDraft(...base, item.warnings, 'unmark', null, reasons, null, unmarkDetail(mark, detail));
    return newDraft(...base, item.warnings, 'protect', null, reasons, null, detail);
  }

  if (verdicts.length === 0) {
    const detail = `no rule matches this ${item.kind}`;
    if (marked) return newDraft(...base, item.warnings, 'unmark', null, UNMATCHED, null, unmarkDetail(mark, detail));
    return newDraft(...base, item.warnings, 'keep', null, UNMATCHED, null, detail);
  }

  const firstKeeper = verdicts.find((v) => v.kept.length > 0);
  if (firstKeeper !== undefined) {
    // Keep wins: one rule keeping it is enough, whatever the others found.
    const reasons = verdicts.length === 1 ? firstKeeper.kept : unique(verdicts.flatMap((v) => v.kept));
    const detail = describeKept(firstKeeper, created, nowMs);
    const { rule, group } = firstKeeper;
    if (marked) return newDraft(...base, item.warnings, 'unmark', rule.name, reasons, group, unmarkDetail(mark, detail));
    return newDraft(...base, item.warnings, 'keep', rule.name, reasons, group, detail);
  }

  const acting = actingRule(verdicts);
  // The acting rule's findings first: they are the ones the decision and its detail rest on.
  const reasons = verdicts.length === 1 ? acting.missed : unique([acting, ...verdicts].flatMap((v) => v.missed));
  const why = describeCandidate(acting, created, nowMs);
  const { rule, group } = acting;
  if (rule.graceMs === undefined) return newDraft(...base, item.warnings, 'delete', rule.name, reasons, group, why);

  const step = graceStep(mark, rule.graceMs, rule.written.grace ?? formatDuration(rule.graceMs), nowMs);
  const warnings = step.warning === null ? item.warnings : [...item.warnings, step.warning];
  const stepReasons: readonly Reason[] = step.decision === 'delete' ? [...reasons, 'grace'] : reasons;
  return newDraft(...base, warnings, step.decision, rule.name, stepReasons, group, sentence(step.detail, '; ', why));
}

const UNMATCHED: readonly Reason[] = Object.freeze(['unmatched']);

/**
 * Several rules may make an item a candidate: it is acted on under the one with the longest grace,
 * the most careful reading of the policy; between equal graces, the first in the policy.
 */
function actingRule(verdicts: readonly RuleVerdict[]): RuleVerdict {
  let acting = verdicts[0] as RuleVerdict;
  for (const verdict of verdicts) {
    if ((verdict.rule.graceMs ?? 0) > (acting.rule.graceMs ?? 0)) acting = verdict;
  }
  return acting;
}

/** Tells the reader of a protection whether it is what stands between the item and a rule. */
function wouldOtherwise(verdicts: readonly RuleVerdict[]): string {
  if (verdicts.length === 0 || verdicts.some((v) => v.kept.length > 0)) return '';
  return `; otherwise rule ${actingRule(verdicts).rule.name} would make it a candidate`;
}

function unmarkDetail(mark: Mark, why: string): string {
  return sentence('unmarking (marked at ', mark.value ?? '', '), no longer a candidate: ', why);
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
