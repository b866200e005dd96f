/**
 * A retention policy after loading: validated, defaults filled in, durations in milliseconds,
 * globs compiled. The planner works on this shape only; the YAML document shape lives in schema.ts.
 * Meaning: ../shared/spec/policy.md.
 */
import type { ResourceKind } from '../inventory/types.js';
import type { Glob } from './glob.js';

export type Mode = 'dry-run' | 'enforce';

export interface Limits {
  /** Deletions in one run, all kinds and regions together. */
  readonly maxDeletionsPerRun: number;
  /** Per region and kind: above this share (0-100) of what was listed, delete none of that group. */
  readonly maxDeletionPercent: number;
  /** API calls in flight per region. */
  readonly concurrency: number;
  /** Per API action per region. */
  readonly requestsPerSecond: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxDeletionsPerRun: 20,
  maxDeletionPercent: 50,
  concurrency: 4,
  requestsPerSecond: 5,
};

/** The cost model: what a GiB-month of snapshot storage costs, for the saving a run reports. */
export interface Costs {
  /** Price of one GiB of standard snapshot storage for one month. */
  readonly snapshotPricePerGiBMonth: number;
  /** ISO 4217 code of that price (USD, CNY, …). */
  readonly currency: string;
  /** Whether the policy set the price or the built-in placeholder is in force. */
  readonly source: 'policy' | 'default';
}

/**
 * A placeholder, not a quote: the per-GB-month standard snapshot price the Alibaba Cloud snapshot
 * billing page uses in its worked example for China (Hangzhou), "provided only for reference"
 * (https://www.alibabacloud.com/help/en/ecs/snapshots-1). Real prices differ by region and
 * account; set costs.snapshotPricePerGiBMonth to yours.
 */
export const DEFAULT_COSTS: Costs = { snapshotPricePerGiBMonth: 0.0173, currency: 'USD', source: 'default' };

/** A tag condition: the key present, its value matching the glob. */
export interface TagCondition {
  readonly key: string;
  readonly value: Glob;
}

/** The protection that is in force whatever the policy says. */
export const BUILTIN_KEEP_TAG = { key: 'image-gc:keep', value: 'true' } as const;
/** The tag a grace period writes: its value is the ISO time of marking. */
export const MARK_TAG_KEY = 'image-gc:marked-at';

export type GroupBy =
  | { readonly by: 'none' }
  | { readonly by: 'family' }
  | { readonly by: 'osTag' }
  | { readonly by: 'name'; readonly pattern: RegExp; readonly source: string };

export interface Match {
  /** Any may match. */
  readonly name?: readonly Glob[];
  /** All must hold. */
  readonly tags?: readonly TagCondition[];
  /** Any may match, compared case-insensitively. */
  readonly status?: readonly string[];
  /** ehpc-image only. Any may match. */
  readonly osTag?: readonly Glob[];
  /** ecs-image and ehpc-image only. Any may match. */
  readonly family?: readonly Glob[];
  /** wuying-image only. Any may match, compared case-insensitively. */
  readonly productType?: readonly string[];
}

export interface Keep {
  /** The N newest of each group, by creation time, ties broken by ID. */
  readonly newest?: number;
  readonly groupBy: GroupBy;
  /** Anything created less than this long ago. */
  readonly youngerThanMs?: number;
  /** image-pipeline only: an execution (or the pipeline itself) created or modified this recently. */
  readonly activeWithinMs?: number;
}

export interface Rule {
  /** Unique, [a-z0-9-]+. */
  readonly name: string;
  readonly resource: ResourceKind;
  readonly match: Match;
  readonly keep: Keep;
  /** ecs-image and ehpc-image only: mark first, delete once marked this long. */
  readonly graceMs?: number;
  /** ecs-image and ehpc-image only: delete the image's snapshots after the image. */
  readonly deleteSnapshots?: boolean;
  /** The rule as written (durations as strings), for explaining decisions. */
  readonly written: {
    readonly youngerThan?: string;
    readonly activeWithin?: string;
    readonly grace?: string;
  };
}

export interface Policy {
  readonly version: 1;
  readonly mode: Mode;
  readonly regions: readonly string[];
  readonly limits: Limits;
  readonly protect: {
    /** Always contains the built-in image-gc:keep=true pair. Values compare case-insensitively. */
    readonly tags: readonly TagCondition[];
    readonly ids: readonly string[];
  };
  readonly rules: readonly Rule[];
  /** The cost model; DEFAULT_COSTS when absent (hand-built policies). The loader always fills it. */
  readonly costs?: Costs;
}
