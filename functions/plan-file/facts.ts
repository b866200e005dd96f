/**
 * The facts a deletion was decided on, as a plan file records them for each `delete` item, and
 * what changed between two sets of them. The re-check before a deletion (sweep/recheck.ts) compares
 * the item as it is now with these: any difference means the item is not what was decided on (or
 * reviewed), and it is not deleted. Values only: evidence texts are for people and may be worded
 * differently from one read to the next.
 */
import type { Fact, InventoryItem, ResourceKind } from '../inventory/types.js';

export interface ReviewedExecution {
  readonly id: string;
  readonly status: string | null;
  readonly createdAt: string | null;
  readonly modifiedAt: string | null;
}

export interface ReviewedSnapshot {
  readonly id: string;
  readonly sizeGiB: number | null;
}

export interface ReviewedFacts {
  readonly name: string;
  readonly status: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly createdAt: string | null;
  readonly sizeGiB: number | null;
  readonly family: string | null;
  readonly osTag: string | null;
  readonly productType: string | null;
  readonly owned: boolean | null;
  readonly inUse: boolean | null;
  readonly shared: boolean | null;
  readonly isPublic: boolean | null;
  readonly atRest: boolean | null;
  /** ecs-image and ehpc-image: the snapshots behind the image; null for other kinds. */
  readonly snapshots: readonly ReviewedSnapshot[] | null;
  /** image-pipeline only; null otherwise. */
  readonly lastActivityAt: string | null;
  /** image-pipeline: its executions, newest first; null for other kinds. */
  readonly executions: readonly ReviewedExecution[] | null;
}

function sortedTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(tags).sort()) out[key] = tags[key] ?? '';
  return out;
}

export function factsOf(item: InventoryItem): ReviewedFacts {
  const pipeline = item.kind === 'image-pipeline';
  return {
    name: item.name,
    status: item.status,
    tags: sortedTags(item.tags),
    createdAt: item.createdAt,
    sizeGiB: item.sizeGiB,
    family: item.family,
    osTag: item.osTag,
    productType: item.productType,
    owned: item.owned.value,
    inUse: item.inUse.value,
    shared: item.shared.value,
    isPublic: item.isPublic.value,
    atRest: item.atRest.value,
    snapshots: item.snapshots === undefined ? null : item.snapshots.map((s) => ({ id: s.id, sizeGiB: s.sizeGiB })),
    lastActivityAt: pipeline ? (item.lastActivityAt ?? null) : null,
    executions: pipeline ? (item.executions ?? []).map((e) => ({ id: e.id, status: e.status, createdAt: e.createdAt, modifiedAt: e.modifiedAt })) : null,
  };
}

const shown = (v: unknown) => (v === null || v === undefined ? 'unknown' : typeof v === 'string' ? v : JSON.stringify(v));

/** What a true value of each yes/no fact means, said when it became true (or unknown). */
const FACT_WORDS: Record<'owned' | 'inUse' | 'shared' | 'isPublic' | 'atRest', { yes: string; no: string }> = {
  owned: { yes: 'owned by this account', no: 'no longer owned by this account' },
  inUse: { yes: 'now in use', no: 'no longer in use' },
  shared: { yes: 'now shared with other accounts', no: 'no longer shared' },
  isPublic: { yes: 'now public', no: 'no longer public' },
  atRest: { yes: 'at rest again', no: 'no longer at rest (busy)' },
};

/**
 * Every difference between what was decided on (`before`) and what is there now (`after`), each a
 * short sentence: `tag image-gc:keep=true added`, `status Available -> CreateFailed`, `now in use`.
 * Empty when they agree.
 */
export function diffFacts(before: ReviewedFacts, after: ReviewedFacts): string[] {
  const changes: string[] = [];
  for (const key of ['inUse', 'shared', 'isPublic', 'owned', 'atRest'] as const) {
    const was = before[key];
    const now = after[key];
    if (was === now) continue;
    const words = FACT_WORDS[key];
    changes.push(now === null ? `${key} can no longer be established (was ${String(was)})` : now ? words.yes : words.no);
  }
  const tagKeys = [...new Set([...Object.keys(before.tags), ...Object.keys(after.tags)])].sort();
  for (const key of tagKeys) {
    const was = Object.hasOwn(before.tags, key) ? before.tags[key] : undefined;
    const now = Object.hasOwn(after.tags, key) ? after.tags[key] : undefined;
    if (was === now) continue;
    if (was === undefined) changes.push(`tag ${key}=${now ?? ''} added`);
    else if (now === undefined) changes.push(`tag ${key}=${was} removed`);
    else changes.push(`tag ${key} ${was} -> ${now}`);
  }
  for (const key of ['status', 'name', 'createdAt', 'sizeGiB', 'family', 'osTag', 'productType', 'lastActivityAt'] as const) {
    if (before[key] !== after[key]) changes.push(`${key} ${shown(before[key])} -> ${shown(after[key])}`);
  }
  if (JSON.stringify(before.snapshots) !== JSON.stringify(after.snapshots)) {
    changes.push(`snapshots ${listShown(before.snapshots?.map((s) => s.id))} -> ${listShown(after.snapshots?.map((s) => s.id))}`);
  }
  changes.push(...executionChanges(before.executions, after.executions));
  return changes;
}

function listShown(ids: readonly string[] | undefined): string {
  return ids === undefined ? 'unknown' : ids.length === 0 ? 'none' : ids.join(',');
}

function executionChanges(before: readonly ReviewedExecution[] | null, after: readonly ReviewedExecution[] | null): string[] {
  if (before === null || after === null) return before === after ? [] : ['executions cannot be compared'];
  const out: string[] = [];
  const was = new Map(before.map((e) => [e.id, e]));
  const now = new Map(after.map((e) => [e.id, e]));
  for (const [id, e] of now) {
    const old = was.get(id);
    if (old === undefined) out.push(`new execution ${id} (${shown(e.status)})`);
    else if (JSON.stringify(old) !== JSON.stringify(e)) out.push(`execution ${id} ${shown(old.status)} -> ${shown(e.status)}`);
  }
  for (const id of was.keys()) if (!now.has(id)) out.push(`execution ${id} gone`);
  return out;
}

/**
 * An inventory record rebuilt from a plan item's facts, for an item the fresh listing no longer
 * holds: enough for its kind's describe() to read it again (kind, region, ID, and what describe
 * carries over, such as an E-HPC OsTag). Never decided on: the re-read record is.
 */
export function itemFromFacts(p: { readonly kind: ResourceKind; readonly region: string; readonly id: string }, facts: ReviewedFacts): InventoryItem {
  const fact = (value: boolean | null): Fact => ({ value, evidence: 'as recorded in the plan' });
  return {
    kind: p.kind,
    region: p.region,
    id: p.id,
    name: facts.name,
    createdAt: facts.createdAt,
    createdAtRaw: facts.createdAt,
    status: facts.status,
    tags: { ...facts.tags },
    family: facts.family,
    osTag: facts.osTag,
    productType: facts.productType,
    sizeGiB: facts.sizeGiB,
    owned: fact(facts.owned),
    inUse: fact(facts.inUse),
    shared: fact(facts.shared),
    isPublic: fact(facts.isPublic),
    atRest: fact(facts.atRest),
    ...(facts.snapshots !== null && { snapshots: facts.snapshots.map((s) => ({ ...s })) }),
    ...(p.kind === 'image-pipeline' && { lastActivityAt: facts.lastActivityAt, executions: (facts.executions ?? []).map((e) => ({ ...e })) }),
    warnings: [],
    raw: {},
  };
}
