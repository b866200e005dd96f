/**
 * Making a plan file from a plan: every item, the facts behind each deletion, the policy's
 * checksum, the account, the time and the expiry; sealed (seal.ts) and written atomically, so a
 * half-written file can never be applied.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { itemKey, type Inventory, type InventoryItem, type ListingFailure, type ResourceKind } from '../inventory/types.js';
import type { Plan, PlanItem } from '../plan/types.js';
import type { Mode } from '../policy/types.js';
import { VERSION } from '../version.js';
import type { CallerAccount } from './account.js';
import { factsOf } from './facts.js';
import { seal } from './seal.js';
import { PLAN_FILE_FORMAT, PLAN_FILE_VERSION, type PlanFile, type PlanFileItem } from './types.js';

export interface PlanFileInput {
  readonly plan: Plan;
  readonly inventory: Inventory;
  readonly account: CallerAccount;
  readonly policy: { readonly file: string; readonly path: string; readonly sha256: string; readonly mode: Mode; readonly regions: readonly string[]; readonly kinds: readonly ResourceKind[] };
  /** Wall clock when the plan was made. */
  readonly createdAt: Date;
  readonly ttl: { readonly text: string; readonly ms: number };
  /** IMAGE_GC_PLAN_KEY, or null for a plain sha256. */
  readonly key: string | null;
}

const isoSeconds = (d: Date) => d.toISOString();

export function fileItem(p: PlanItem, item: InventoryItem | undefined): PlanFileItem {
  const base: PlanFileItem = {
    kind: p.kind,
    region: p.region,
    id: p.id,
    name: p.name,
    createdAt: p.createdAt,
    sizeGiB: p.sizeGiB,
    decision: p.decision,
    rule: p.rule,
    reasons: [...p.reasons],
    detail: p.detail,
    markedAt: p.markedAt,
    group: p.group,
    warnings: [...p.warnings],
    ...(p.snapshots !== undefined && { snapshots: p.snapshots.map((s) => ({ id: s.id, sizeGiB: s.sizeGiB, action: s.action, detail: s.detail })) }),
  };
  if (p.decision !== 'delete') return base;
  // A delete decision is always about an inventory item; without one there is nothing to re-check against.
  if (item === undefined) throw new Error(`plan item ${itemKey(p)} has no inventory record`);
  return { ...base, facts: factsOf(item) as PlanFileItem['facts'] };
}

export function buildPlanFile(input: PlanFileInput): PlanFile {
  const byKey = new Map(input.inventory.items.map((i) => [itemKey(i), i]));
  const items = input.plan.items.map((p) => fileItem(p, byKey.get(itemKey(p))));
  const deletions = items.filter((i) => i.decision === 'delete');
  const failures: ListingFailure[] = [...input.inventory.failures];
  const body = {
    format: PLAN_FILE_FORMAT,
    formatVersion: PLAN_FILE_VERSION,
    tool: { name: 'image-gc', version: VERSION },
    createdAt: isoSeconds(input.createdAt),
    expiresAt: isoSeconds(new Date(input.createdAt.getTime() + input.ttl.ms)),
    ttl: input.ttl.text,
    now: input.plan.now,
    account: { accountId: input.account.accountId, arn: input.account.arn, identityType: input.account.identityType },
    policy: { ...input.policy, regions: [...input.policy.regions], kinds: [...input.policy.kinds] },
    summary: {
      listed: input.plan.items.length,
      counts: { ...input.plan.counts },
      deletions: deletions.length,
      gibToReclaim: Math.round(deletions.reduce((sum, i) => sum + (i.sizeGiB ?? 0), 0) * 1000) / 1000,
      aborted: input.plan.aborted.map((g) => ({ ...g })),
      listingFailures: failures.map((f) => ({ kind: f.kind, region: f.region, code: f.code, message: f.message })),
      lookupFailures: (input.inventory.lookupFailures ?? []).map((f) => ({ region: f.region, lookup: f.lookup, action: f.action, code: f.code, message: f.message })),
    },
    items,
  } satisfies Omit<PlanFile, 'checksum'>;
  return seal(body, input.key);
}

/** Writes next to the target and renames, so that the file is either the whole plan or absent. */
export function writePlanFile(path: string, file: PlanFile): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o644 });
  renameSync(tmp, path);
}
