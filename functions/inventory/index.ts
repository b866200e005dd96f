/**
 * Taking the inventory: every kind a rule names, in every region it lives in, listed
 * concurrently (the client bounds calls in flight per region). A kind and region whose listing
 * fails is reported and left out whole: nothing of it is decided on, so nothing of it is deleted.
 */
import type { CloudApi } from '../cloud/api.js';
import { isCloudError } from '../cloud/errors.js';
import type { Policy } from '../policy/types.js';
import { ecsImage } from './ecs-image.js';
import { ehpcImage } from './ehpc-image.js';
import { imagePipeline } from './image-pipeline.js';
import { ListingError } from './paging.js';
import type { ListContext, ResourceModule } from './resource.js';
import { applyReferences, startReferences } from './references.js';
import { RESOURCE_KINDS, type Inventory, type InventoryItem, type ListingFailure, type LookupFailure, type ResourceKind } from './types.js';
import { wuyingImage } from './wuying-image.js';

export const MODULES: Readonly<Record<ResourceKind, ResourceModule>> = {
  'ehpc-image': ehpcImage,
  'ecs-image': ecsImage,
  'wuying-image': wuyingImage,
  'image-pipeline': imagePipeline,
};

export interface InventoryHooks {
  onListed?(e: { kind: ResourceKind; region: string; count: number; warnings: readonly string[]; durationMs: number }): void;
  onFailed?(e: ListingFailure & { durationMs: number }): void;
}

export function kindsOf(policy: Policy): ResourceKind[] {
  const named = new Set(policy.rules.map((r) => r.resource));
  return RESOURCE_KINDS.filter((k) => named.has(k));
}

function newListContext(kinds: ReadonlySet<ResourceKind>): ListContext {
  const memo = new Map<string, Promise<unknown>>();
  return {
    kinds,
    once<T>(key: string, fn: () => Promise<T>): Promise<T> {
      let p = memo.get(key) as Promise<T> | undefined;
      if (p === undefined) {
        p = fn();
        memo.set(key, p);
      }
      return p;
    },
  };
}

function failureOf(kind: ResourceKind, region: string, e: unknown): ListingFailure {
  if (e instanceof ListingError || isCloudError(e)) return { kind, region, code: e.code, message: e.message };
  return { kind, region, code: 'UnexpectedError', message: e instanceof Error ? e.message : String(e) };
}

export async function takeInventory(api: CloudApi, policy: Policy, hooks: InventoryHooks = {}, now: () => number = Date.now): Promise<Inventory> {
  const kinds = kindsOf(policy);
  const ctx = newListContext(new Set(kinds));
  const jobs = kinds.flatMap((kind) => MODULES[kind].regions(policy.regions).map((region) => ({ kind, region })));
  const results = await Promise.all(
    jobs.map(async ({ kind, region }) => {
      const started = now();
      // Images get the region's in-use references (launch templates, pipelines, scaling, E-HPC jobs) merged in;
      // the lookups run alongside the listing (and never reject: a failed lookup is recorded).
      const references = startReferences(api, kind, region, ctx);
      try {
        const listing = await applyReferences(await MODULES[kind].list(api, region, ctx), references);
        const items = listing.items.filter((i) => i.id !== '');
        const warnings = [...listing.warnings];
        if (items.length < listing.items.length) warnings.push(`${listing.items.length - items.length} items without an ID ignored`);
        hooks.onListed?.({ kind, region, count: items.length, warnings, durationMs: now() - started });
        return { kind, region, items, lookupFailures: listing.lookupFailures };
      } catch (e) {
        const failure = failureOf(kind, region, e);
        hooks.onFailed?.({ ...failure, durationMs: now() - started });
        // A lookup that failed is still reported, though nothing of this kind and region is decided on.
        return { kind, region, failure, lookupFailures: references === null ? [] : (await references).failures };
      }
    }),
  );
  const items: InventoryItem[] = [];
  const listed: Array<{ kind: ResourceKind; region: string; count: number }> = [];
  const failures: ListingFailure[] = [];
  const lookupFailures = new Map<string, LookupFailure>();
  const seen = new Set<string>();
  for (const r of results) {
    for (const f of r.lookupFailures) lookupFailures.set(`${f.region}\u0000${f.lookup}`, f);
    if ('failure' in r && r.failure) {
      failures.push(r.failure);
      continue;
    }
    let count = 0;
    for (const item of r.items ?? []) {
      // WUYING images are global: the same image listed from two endpoints is one item.
      const key = `${item.kind}/${item.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      items.push(item);
      count++;
    }
    listed.push({ kind: r.kind, region: r.region, count });
  }
  return { items, listed, failures, lookupFailures: [...lookupFailures.values()] };
}
