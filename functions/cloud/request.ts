/**
 * Turns an action's parameters into the query and form body openapi-client sends, the way the
 * generated SDKs do: nested values flattened to `Tag.1.Key` (1-based), null/undefined dropped,
 * every value a string. Facts: ../shared/reference/alibaba-openapi.md §5.2.
 */
import OpenApiUtilModule from '@alicloud/openapi-util';
import type { ActionSpec } from './actions.js';
import type { ApiParams } from './api.js';
import { cjsDefault } from './cjs-interop.js';

const OpenApiUtil = cjsDefault(OpenApiUtilModule);

export type FlatParams = Record<string, string>;

export interface WireParams {
  readonly query: FlatParams;
  /** Present only for 'form' actions with at least one body parameter. */
  readonly body?: FlatParams;
}

/**
 * Dates would vanish in openapi-util's flattening (a Date has no own keys), so they become the
 * API's timestamp format first. Everything else is left for OpenApiUtil.query.
 */
function normaliseValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (Array.isArray(value)) return value.map(normaliseValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseValue(v)]));
  }
  return value;
}

export function flattenParams(params: ApiParams): FlatParams {
  return OpenApiUtil.query(normaliseValue(params) as Record<string, unknown>);
}

/** `TagList.1.Key` belongs to the top-level parameter `TagList`. */
function topLevelName(flatKey: string): string {
  const dot = flatKey.indexOf('.');
  return dot === -1 ? flatKey : flatKey.slice(0, dot);
}

/**
 * Places the parameters as the action table says. RegionId always goes in the query: the real
 * gateway accepts it on every RPC API, and the emulator needs it where the host carries no region.
 */
export function buildWireParams(spec: ActionSpec, region: string, params: ApiParams): WireParams {
  const flat = flattenParams(params);
  delete flat['RegionId'];
  if (spec.placement === 'query') return { query: { RegionId: region, ...flat } };
  const inQuery = new Set(spec.queryParams ?? []);
  const query: FlatParams = { RegionId: region };
  const body: FlatParams = {};
  for (const [key, value] of Object.entries(flat)) {
    if (inQuery.has(topLevelName(key))) query[key] = value;
    else body[key] = value;
  }
  return Object.keys(body).length > 0 ? { query, body } : { query };
}
