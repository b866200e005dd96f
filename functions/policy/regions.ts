/**
 * The Alibaba Cloud region IDs a policy may name. A region the list does not know is an error,
 * not a warning: a typo in `regions` would otherwise make the collector list an empty region
 * (or fail to reach one) every run and report "nothing to do" while images pile up elsewhere.
 *
 * Sources: the ECS endpoint table (../../../shared/reference/alibaba-openapi.md §3) and, for the
 * industry clouds, the Finance Cloud region list (help doc 72379) and the region map built into
 * @alicloud/ecs20140526 7.11.6. `cn-beijing-finance-1` is left out: we could not confirm it.
 * A new region is one line here.
 */
import { closest } from './suggest.js';

export const PUBLIC_REGION_IDS = [
  'cn-qingdao',
  'cn-beijing',
  'cn-zhangjiakou',
  'cn-huhehaote',
  'cn-wulanchabu',
  'cn-hangzhou',
  'cn-shanghai',
  'cn-nanjing',
  'cn-fuzhou',
  'cn-shenzhen',
  'cn-heyuan',
  'cn-guangzhou',
  'cn-chengdu',
  'cn-hongkong',
  'cn-wuhan-lr',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-southeast-5',
  'ap-southeast-6',
  'ap-southeast-7',
  'ap-southeast-8',
  'us-east-1',
  'us-west-1',
  'eu-central-1',
  'eu-west-1',
  'me-east-1',
  'me-central-1',
  'na-south-1',
] as const;

/** Finance Cloud and Government Cloud regions (separate accounts, same APIs). */
export const INDUSTRY_REGION_IDS = [
  'cn-hangzhou-finance',
  'cn-shanghai-finance-1',
  'cn-shenzhen-finance-1',
  'cn-north-2-gov-1',
] as const;

export const REGION_IDS: readonly string[] = [...PUBLIC_REGION_IDS, ...INDUSTRY_REGION_IDS];

const KNOWN = new Set(REGION_IDS);

export function isRegionId(id: string): boolean {
  return KNOWN.has(id);
}

/**
 * The region a zone ID belongs to, or null. Zones are a region plus a letter:
 * `cn-hangzhou-h`, `ap-southeast-1a`, `us-east-1b`.
 */
export function regionOfZone(id: string): string | null {
  const lower = id.toLowerCase();
  // After a digit the zone letter follows directly (ap-southeast-1a); otherwise after a dash.
  const m = /^(.*\d)[a-z]$/.exec(lower) ?? /^(.*)-[a-z]$/.exec(lower);
  const region = m?.[1];
  return region !== undefined && KNOWN.has(region) ? region : null;
}

/** Why `id` is not a region ID we know, or null when it is one. */
export function regionProblem(id: string): string | null {
  if (KNOWN.has(id)) return null;
  const zoneOf = regionOfZone(id);
  if (zoneOf !== null) return `'${id}' is a zone, not a region; write its region '${zoneOf}'`;
  const guess = closest(id, REGION_IDS);
  const hint = guess === null ? 'the known regions are listed in functions/policy/regions.ts' : `did you mean '${guess}'?`;
  return `'${id}' is not an Alibaba Cloud region ID; ${hint}`;
}
