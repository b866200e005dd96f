/**
 * What every API handler gets and the small helpers they share.
 */
import { ApiError, missingParameter } from '../errors.js';
import { pageByNumber } from '../paging.js';
import type { AnswerOverride, Product } from '../fleet.js';
import type { Params } from '../params.js';
import type { FleetState, RegionState } from '../state.js';

export interface ApiContext {
  fleet: FleetState;
  params: Params;
  /** RegionId, else the host name's region, else ''. */
  region: string;
  requestId: string;
}

export type ApiAnswer = Record<string, unknown>;
export type Handler = (ctx: ApiContext) => ApiAnswer;

export interface Route {
  product: Product;
  action: string;
  version: string;
  /** Changes the fleet: lossy faults decide whether the change happened. */
  mutating: boolean;
  handler: Handler;
}

/** ECS takes RegionId as a required parameter (a regional host name does not replace it). */
export function ecsRegion(ctx: ApiContext): RegionState {
  const name = ctx.params.required('RegionId');
  const known = ctx.fleet.regions.get(name);
  if (known) return known;
  if (ctx.fleet.behaviour.unknownRegion === 'error') {
    throw new ApiError(404, 'InvalidRegionId.NotFound', 'The specified RegionId does not exist.');
  }
  return ctx.fleet.region(name);
}

/** Region for APIs that take it from RegionId or the host (E-HPC): required here. */
export function hostOrParamRegion(ctx: ApiContext): RegionState {
  if (!ctx.region) throw missingParameter('RegionId');
  return ctx.fleet.region(ctx.region);
}

/** Merges a fleet item's `answer` override: null deletes the field, anything else replaces it. */
export function withAnswer(item: ApiAnswer, override: AnswerOverride | undefined): ApiAnswer {
  if (!override) return item;
  for (const [k, v] of Object.entries(override)) {
    if (v === null) delete item[k];
    else item[k] = v;
  }
  return item;
}

/** `{a: 'b'}` → `{ Tag: [{ TagKey: 'a', TagValue: 'b' }] }`, the ECS shape. */
export function ecsTags(tags: Record<string, string> | undefined): { Tag: Array<{ TagKey: string; TagValue: string }> } {
  return { Tag: Object.entries(tags ?? {}).map(([TagKey, TagValue]) => ({ TagKey, TagValue })) };
}

/** ECS `Tag.N.Key` / `Tag.N.Value` filter: every given key must be present (with that value if given). */
export function tagFilter(ctx: ApiContext): Array<{ Key: string; Value: string | undefined }> {
  return ctx.params
    .objects('Tag')
    .filter((t) => t.Key !== undefined && t.Key !== '')
    .map((t) => ({ Key: t.Key!, Value: t.Value }));
}

export function matchesTags(tags: Record<string, string> | undefined, filter: ReturnType<typeof tagFilter>): boolean {
  return filter.every((f) => tags !== undefined && Object.hasOwn(tags, f.Key) && (f.Value === undefined || tags[f.Key] === f.Value));
}

/** `2026-01-01T00:00:00Z` → `2026-01-01 00:00:00` (the appstream / E-HPC Instant style). */
export function plainTime(iso: string): string {
  const d = new Date(Date.parse(iso));
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 19).replace('T', ' ');
}

/** The paging head of an ECS-style answer, in the order the API writes it. */
export interface NumberedHead {
  TotalCount: number;
  PageNumber: number;
  PageSize: number;
}

/**
 * One page of an ECS-style PageNumber/PageSize listing: page 1 and 10 a page unless asked, at most
 * `maxPageSize`, with the fleet's paging anomalies applied.
 */
export function ecsPage<T>(ctx: ApiContext, all: readonly T[], maxPageSize: number): { head: NumberedHead; items: T[] } {
  const pageNumber = ctx.params.int('PageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = ctx.params.int('PageSize', 10, 1, maxPageSize);
  const page = pageByNumber(all, pageNumber, pageSize, ctx.fleet.behaviour.paging);
  return { head: { TotalCount: page.totalCount, PageNumber: pageNumber, PageSize: pageSize }, items: page.items };
}
