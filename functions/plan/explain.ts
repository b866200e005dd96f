/**
 * The `detail` sentences: what a person reading the plan needs to agree with a decision or to
 * change it (which rule, what it keeps, where this item stands against that).
 */
import { formatDuration } from '../policy/duration.js';
import type { GroupBy, Rule } from '../policy/types.js';
import type { RuleVerdict } from './keep.js';
import type { Protection } from './protections.js';
import { formatAge, type CreationTime } from './time.js';

export function ordinal(n: number): string {
  const lastTwo = n % 100;
  const suffix = lastTwo >= 11 && lastTwo <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * One sentence from its pieces. join() makes a flat string, where `+` and template literals make a
 * tree of the pieces; a plan keeps 100,000 sentences alive, and the trees would triple its memory
 * and the time the collector spends copying it.
 */
export function sentence(...pieces: string[]): string {
  return pieces.join('');
}

export function describeProtections(protections: readonly Protection[], suffix = ''): string {
  return sentence('protected: ', protections.map((p) => p.text).join('; '), suffix);
}

/** "2nd newest in group family=hpc-base; kept by rule r, which keeps the 3 newest (this one is 41d old)" */
export function describeKept(verdict: RuleVerdict, created: CreationTime, nowMs: number): string {
  const { rule } = verdict;
  return sentence(rankPrefix(verdict), 'kept by rule ', rule.name, ', which keeps ', keepsPhrase(rule), standing(verdict, created, nowMs));
}

/** "4th newest in group family=hpc-base; rule r keeps the 3 newest and anything younger than 30d (this one is 41d old)" */
export function describeCandidate(verdict: RuleVerdict, created: CreationTime, nowMs: number): string {
  const { rule } = verdict;
  return sentence(rankPrefix(verdict), 'rule ', rule.name, ' keeps ', keepsPhrase(rule), standing(verdict, created, nowMs));
}

function rankPrefix(verdict: RuleVerdict): string {
  if (verdict.rank === null) return '';
  const groupBy = verdict.rule.keep.groupBy;
  const group = groupBy.by === 'none' ? '' : ` in group ${groupDimension(groupBy)}=${verdict.group ?? ''}`;
  // Groups are counted per region (keep.ts): say so, or "2nd newest" reads as account-wide.
  return `${ordinal(verdict.rank)} newest${group} in its region; `;
}

function groupDimension(groupBy: GroupBy): string {
  return groupBy.by === 'name' ? `name /${groupBy.source}/` : groupBy.by;
}

/** Made once per rule (rules are immutable): every item of a large fleet would otherwise build its own copy. */
const keepsPhrases = new WeakMap<Rule, string>();

function keepsPhrase(rule: Rule): string {
  let phrase = keepsPhrases.get(rule);
  if (phrase === undefined) {
    phrase = describeKeep(rule);
    keepsPhrases.set(rule, phrase);
  }
  return phrase;
}

function describeKeep(rule: Rule): string {
  const { newest, youngerThanMs, activeWithinMs } = rule.keep;
  const clauses: string[] = [];
  if (newest !== undefined) clauses.push(`the ${newest} newest`);
  if (youngerThanMs !== undefined) clauses.push(`anything younger than ${rule.written.youngerThan ?? formatDuration(youngerThanMs)}`);
  if (activeWithinMs !== undefined) clauses.push(`anything active within ${rule.written.activeWithin ?? formatDuration(activeWithinMs)}`);
  return clauses.length === 0 ? 'nothing' : clauses.join(' and ');
}

function standing(verdict: RuleVerdict, created: CreationTime, nowMs: number): string {
  const facts: string[] = [];
  if (created.trustedMs !== null) facts.push(`this one is ${formatAge(nowMs - created.trustedMs)} old`);
  if (verdict.rule.keep.activeWithinMs !== undefined) {
    facts.push(verdict.activityMs === null ? 'no activity recorded' : `last active ${formatAge(nowMs - verdict.activityMs)} ago`);
  }
  return facts.length === 0 ? '' : ` (${facts.join(', ')})`;
}
