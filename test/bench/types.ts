/** The shape of bench-results/*.json: what run.ts writes and report.ts renders. */
import type { CodeVersion, Machine } from './lib/machine.js';

export const SECTIONS = ['throughput', 'compare', 'listing', 'scale', 'coldstart'] as const;
export type SectionName = (typeof SECTIONS)[number];

export interface SectionMeta {
  readonly measuredAt: string;
  readonly quick: boolean;
  readonly durationS: number;
  /** 1-minute load average at the start and the end of the section. */
  readonly load1: readonly [number, number];
  readonly machine: Machine;
  readonly code: CodeVersion;
}

export interface RegionDeletion {
  readonly region: string;
  readonly deleted: number;
  readonly spanS: number;
  /** Deletions per second over the span from the region's first to its last DeleteImage, ÷ quota. */
  readonly ratio: number;
}

export interface ThroughputCell {
  readonly fleet: string;
  readonly regions: number;
  readonly perRegion: number;
  readonly quota: number;
  readonly latencyMs: number;
  readonly requestsPerSecond: number;
  readonly concurrency: number;
  /** Not judged against the targets (e.g. the policy's default concurrency, to show what bounds it). */
  readonly informational: boolean;
  readonly deleted: number;
  /** Fleet images not deleted: failed deletions, and any the plan did not decide to delete. */
  readonly failedItems: number;
  /** The plan's decisions (every image of these fleets should be `delete`). */
  readonly decisions: Record<string, number>;
  readonly outcomes: Record<string, number>;
  /** Images of the fleet still in the emulator afterwards. */
  readonly remaining: number;
  readonly deleteCalls: number;
  readonly throttledDeleteCalls: number;
  readonly throttledShare: number;
  readonly apiCalls: number;
  /** Every call the emulator logged in the cell, by action. */
  readonly callsByAction: Record<string, number>;
  /**
   * Calls the sweep made per fleet image: DeleteImage plus any re-read before it (DescribeImages
   * beyond the listing's ceil(n/100) pages a region). Calls an item makes one after another
   * multiply the latency that the concurrency has to cover.
   */
  readonly sweepCallsPerItem: number;
  readonly byRegion: readonly RegionDeletion[];
  /** The worst region's deletion-phase ratio. */
  readonly deletionRatio: number;
  /** From the first API call to the first DeleteImage: listing, planning, the first re-read. */
  readonly beforeFirstDeleteS: number;
  readonly wallS: number;
  /** N ÷ (Q × regions), the physical limit, ÷ the whole run's wall time. */
  readonly wholeRunRatio: number;
  readonly collectorCpuS: number;
  readonly emulatorCpuS: number | null;
  readonly logBytes: number;
  readonly load1: readonly [number, number];
}

export interface BaselineResult {
  readonly wallS: number;
  readonly listS: number;
  readonly deleted: number;
  readonly failedItems: number;
  readonly failures: Record<string, number>;
  readonly throttledDeleteCalls: number;
  /** Baseline wall time ÷ image-gc's whole run (same fleet, quota and latency, requestsPerSecond 1000). */
  readonly wallRatio: number;
  /** Deletions per second over the whole run ÷ (Q × regions). */
  readonly throughputRatio: number;
}

export interface CompareCase {
  readonly fleet: string;
  readonly regions: number;
  readonly perRegion: number;
  readonly quota: number;
  readonly latencyMs: number;
  readonly imageGc: { readonly wallS: number; readonly failedItems: number; readonly requestsPerSecond: number; readonly throughputRatio: number };
  readonly sequential: BaselineResult;
  readonly unbounded: BaselineResult;
}

export interface ListingCase {
  readonly name: string;
  readonly kinds: readonly string[];
  readonly regions: number;
  readonly images: number;
  readonly pipelines: number;
  readonly executions: number;
  /** Calls of the actions that list the kinds (those the minimum counts). */
  readonly calls: Record<string, number>;
  readonly minimum: Record<string, number>;
  readonly totalCalls: number;
  readonly totalMinimum: number;
  readonly ratio: number;
  /** Any other calls the inventory made (lookups of what uses an image, and so on): not in the minimum. */
  readonly otherCalls: Record<string, number>;
  readonly listed: number;
  readonly wallS: number;
}

export interface ScaleCase {
  readonly images: number;
  readonly pipelines: number;
  readonly regions: number;
  readonly latencyMs: number;
  readonly quota: number;
  readonly plan: {
    readonly items: number;
    /** CPU time of the first plan() in a fresh process (cold JIT): the median over three processes. */
    readonly firstCpuS: number;
    readonly firstCpuSamplesS: readonly number[];
    /** Median CPU time of the next five. */
    readonly warmCpuS: number;
    readonly firstWallS: number;
    readonly listWallS: number;
    /** Live heap (after a full GC) the inventory holds, and one plan of it; null without --expose-gc. */
    readonly inventoryHeapMiB: number | null;
    readonly planHeapMiB: number | null;
  };
  readonly run: {
    readonly mode: string;
    readonly maxDeletionsPerRun: number;
    readonly wallS: number;
    readonly importS: number;
    readonly peakRssMiB: number;
    /** The same run again with the V8 heap capped (--max-old-space-size), as one would for a small instance; null if it ran out of memory. */
    readonly cappedHeap: { readonly maxOldSpaceMiB: number; readonly peakRssMiB: number | null; readonly wallS: number | null; readonly error: string | null };
    readonly heapUsedMiB: number;
    readonly cpuS: number;
    readonly listed: number;
    readonly decisions: Record<string, number>;
    readonly outcomes: Record<string, number>;
    readonly apiCalls: number;
    readonly callsByAction: Record<string, number>;
    /** Calls of the listing actions in a listing of its own (the plan child: inventory only, no sweep). */
    readonly listingCalls: number;
    readonly listingMinimum: number;
    /** Calls of the inventory other than the listing actions (lookups of what uses an image), by action. */
    readonly otherCalls: Record<string, number>;
    readonly logBytes: number;
    readonly exitStatus: number;
  };
}

export interface ColdStart {
  readonly bundleBytes: number;
  readonly bundleGzipBytes: number;
  readonly runs: number;
  readonly bareMs: number;
  readonly importMs: number;
  readonly ratio: number;
  readonly bareSamplesMs: readonly number[];
  readonly importSamplesMs: readonly number[];
}

export interface Results {
  readonly version: 1;
  throughput?: SectionMeta & { cells: ThroughputCell[] };
  compare?: SectionMeta & { cases: CompareCase[] };
  listing?: SectionMeta & { cases: ListingCase[] };
  scale?: SectionMeta & { cases: ScaleCase[] };
  coldstart?: SectionMeta & ColdStart;
}
