/**
 * §1 Throughput against the quota and §2 against what a user would write instead.
 *
 * For each fleet (N images in one region, or N/4 in each of four), emulator quota Q (DeleteImage
 * per second per region) and answer latency, image-gc runs the whole collector (inventory →
 * plan → sweep, enforce) twice: with requestsPerSecond 0.95·Q and with 1000 (the client must find
 * the quota from Throttling answers). Then, on a fresh copy of the same fleet, the two scripts a
 * user would write (lib/baselines.ts). The emulator runs in its own process.
 */
import type { EmulatorCall } from '../../emulator/index.js';
import { runBaseline, type BaselineRun } from '../lib/baselines.js';
import { runInProcess } from '../lib/collector.js';
import type { EmulatorProcess } from '../lib/emulator-process.js';
import { deletableFleet, deleteAllPolicy, REGIONS } from '../lib/fleets.js';
import { load1 } from '../lib/machine.js';
import { round } from '../lib/stats.js';
import type { BaselineResult, CompareCase, RegionDeletion, ThroughputCell } from '../types.js';

export interface ThroughputPlan {
  readonly fleets: ReadonlyArray<{ name: string; regions: number; perRegion: number }>;
  readonly quotas: readonly number[];
  readonly latencies: readonly number[];
  readonly concurrency: number;
  /** Extra, informational cells: the policy's default concurrency at the largest quota and latency. */
  readonly informationalDefaultConcurrency: boolean;
}

export const FULL_PLAN: ThroughputPlan = {
  fleets: [
    { name: '2,000 × 1 region', regions: 1, perRegion: 2000 },
    { name: '500 × 4 regions', regions: 4, perRegion: 500 },
  ],
  quotas: [20, 100],
  latencies: [20, 100],
  concurrency: 32,
  informationalDefaultConcurrency: true,
};

export const QUICK_PLAN: ThroughputPlan = {
  fleets: [
    { name: '200 × 1 region', regions: 1, perRegion: 200 },
    { name: '50 × 4 regions', regions: 4, perRegion: 50 },
  ],
  quotas: [50],
  latencies: [20],
  concurrency: 32,
  informationalDefaultConcurrency: false,
};

/** requestsPerSecond set far above any quota: the client has to find Q by itself. */
export const FAR_ABOVE = 1000;

const isDelete = (c: EmulatorCall) => c.action === 'DeleteImage' && c.product === 'ecs';

function deletionsByRegion(calls: readonly EmulatorCall[], quota: number): RegionDeletion[] {
  const byRegion = new Map<string, EmulatorCall[]>();
  for (const c of calls) {
    if (!isDelete(c)) continue;
    let list = byRegion.get(c.region);
    if (list === undefined) byRegion.set(c.region, (list = []));
    list.push(c);
  }
  return [...byRegion.entries()].map(([region, list]) => {
    const deleted = list.filter((c) => c.status === 200).length;
    const spanS = ((list[list.length - 1]?.t ?? 0) - (list[0]?.t ?? 0)) / 1000;
    return { region, deleted, spanS: round(spanS), ratio: round(spanS > 0 ? deleted / spanS / quota : NaN) };
  });
}

async function remainingImages(emu: EmulatorProcess): Promise<number> {
  const state = await emu.state();
  return Object.values(state.regions).reduce((n, r) => n + (r.images?.length ?? 0), 0);
}

async function imageGcCell(
  emu: EmulatorProcess,
  f: ThroughputPlan['fleets'][number],
  quota: number,
  latencyMs: number,
  requestsPerSecond: number,
  concurrency: number,
  informational: boolean,
): Promise<ThroughputCell> {
  const regions = REGIONS.slice(0, f.regions);
  const n = f.regions * f.perRegion;
  await emu.loadFleet(deletableFleet(regions, f.perRegion, { qps: { DeleteImage: quota }, latencyMs }));
  const loadBefore = load1();
  const emuCpu0 = emu.cpuSeconds();
  const run = await runInProcess({
    endpoint: emu.url,
    policyYaml: deleteAllPolicy(regions, { maxDeletionsPerRun: n, maxDeletionPercent: 100, concurrency, requestsPerSecond }),
  });
  const emuCpu1 = emu.cpuSeconds();
  const calls = await emu.calls();
  const deletes = calls.filter(isDelete);
  const throttled = deletes.filter((c) => c.code === 'Throttling').length;
  const byRegion = deletionsByRegion(calls, quota);
  const callsByAction: Record<string, number> = {};
  for (const c of calls) callsByAction[c.action] = (callsByAction[c.action] ?? 0) + 1;
  const listingPages = f.regions * Math.max(1, Math.ceil(f.perRegion / 100));
  const rereads = Math.max(0, (callsByAction['DescribeImages'] ?? 0) - listingPages);
  const outcomes: Record<string, number> = {};
  for (const o of run.result.outcomes) outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
  const deleted = outcomes['deleted'] ?? 0;
  const decisions = Object.fromEntries(Object.entries(run.result.plan.counts).filter(([, v]) => v > 0));
  if ((decisions['delete'] ?? 0) !== n) {
    const odd = run.result.plan.items.find((p) => p.decision !== 'delete');
    process.stderr.write(`  WARNING: the plan deletes ${decisions['delete'] ?? 0} of ${n} images: ${JSON.stringify(decisions)}; e.g. ${odd?.id} ${odd?.decision}: ${odd?.detail}\n`);
  }
  const firstDelete = deletes[0]?.t ?? 0;
  const wallS = run.wallMs / 1000;
  return {
    fleet: f.name,
    regions: f.regions,
    perRegion: f.perRegion,
    quota,
    latencyMs,
    requestsPerSecond,
    concurrency,
    informational,
    deleted,
    failedItems: n - deleted,
    decisions,
    outcomes,
    remaining: await remainingImages(emu),
    deleteCalls: deletes.length,
    throttledDeleteCalls: throttled,
    throttledShare: round(deletes.length > 0 ? throttled / deletes.length : 0, 4),
    apiCalls: calls.length,
    callsByAction,
    sweepCallsPerItem: round((deletes.length + rereads) / n, 2),
    byRegion,
    deletionRatio: round(Math.min(...byRegion.map((r) => r.ratio))),
    beforeFirstDeleteS: round((firstDelete - (calls[0]?.t ?? 0)) / 1000),
    wallS: round(wallS),
    wholeRunRatio: round(n / (quota * f.regions) / wallS),
    collectorCpuS: round(run.cpuMs / 1000),
    emulatorCpuS: emuCpu0 !== null && emuCpu1 !== null ? round(emuCpu1 - emuCpu0) : null,
    logBytes: run.logBytes,
    load1: [loadBefore, load1()],
  };
}

async function baselineCell(emu: EmulatorProcess, shape: 'sequential' | 'unbounded', f: ThroughputPlan['fleets'][number], quota: number, latencyMs: number, imageGcWallS: number): Promise<BaselineResult> {
  const regions = REGIONS.slice(0, f.regions);
  await emu.loadFleet(deletableFleet(regions, f.perRegion, { qps: { DeleteImage: quota }, latencyMs }));
  const run: BaselineRun = await runBaseline(shape, emu.url, regions);
  const calls = await emu.calls();
  const n = f.regions * f.perRegion;
  const wallS = run.wallMs / 1000;
  return {
    wallS: round(wallS),
    listS: round(run.listMs / 1000),
    deleted: run.deleted,
    failedItems: n - run.deleted,
    failures: run.failures,
    throttledDeleteCalls: calls.filter((c) => isDelete(c) && c.code === 'Throttling').length,
    wallRatio: round(wallS / imageGcWallS),
    throughputRatio: round(run.deleted / wallS / (quota * f.regions)),
  };
}

/** A small run first, so the first measured cell does not pay for loading and compiling the collector. */
export async function warmUp(emu: EmulatorProcess): Promise<void> {
  await emu.loadFleet(deletableFleet(['cn-hangzhou'], 100, {}));
  await runInProcess({ endpoint: emu.url, policyYaml: deleteAllPolicy(['cn-hangzhou'], { maxDeletionsPerRun: 100, maxDeletionPercent: 100, concurrency: 32, requestsPerSecond: 1000 }) });
}

export async function runThroughput(
  emu: EmulatorProcess,
  plan: ThroughputPlan,
  want: { throughput: boolean; compare: boolean },
  progress: (line: string) => void,
): Promise<{ cells: ThroughputCell[]; cases: CompareCase[] }> {
  const cells: ThroughputCell[] = [];
  const cases: CompareCase[] = [];
  await warmUp(emu);
  for (const f of plan.fleets) {
    for (const quota of plan.quotas) {
      for (const latencyMs of plan.latencies) {
        const label = `${f.name}, Q=${quota}/s, latency ${latencyMs} ms`;
        if (want.throughput) {
          const below = await imageGcCell(emu, f, quota, latencyMs, round(0.95 * quota, 2), plan.concurrency, false);
          cells.push(below);
          progress(describeCell(label, below));
        }
        const above = await imageGcCell(emu, f, quota, latencyMs, FAR_ABOVE, plan.concurrency, false);
        if (want.throughput) {
          cells.push(above);
          progress(describeCell(label, above));
        }
        if (want.compare) {
          const sequential = await baselineCell(emu, 'sequential', f, quota, latencyMs, above.wallS);
          progress(`  ${label}: sequential loop ${sequential.wallS} s (${sequential.wallRatio}× image-gc), ${sequential.failedItems} failed`);
          const unbounded = await baselineCell(emu, 'unbounded', f, quota, latencyMs, above.wallS);
          progress(`  ${label}: unbounded parallel ${unbounded.wallS} s (${unbounded.wallRatio}× image-gc), ${unbounded.failedItems} failed`);
          cases.push({
            fleet: f.name,
            regions: f.regions,
            perRegion: f.perRegion,
            quota,
            latencyMs,
            imageGc: { wallS: above.wallS, failedItems: above.failedItems, requestsPerSecond: above.requestsPerSecond, throughputRatio: above.wholeRunRatio },
            sequential,
            unbounded,
          });
        }
      }
    }
  }
  if (want.throughput && plan.informationalDefaultConcurrency) {
    const f = plan.fleets[0]!;
    const quota = Math.max(...plan.quotas);
    const latencyMs = Math.max(...plan.latencies);
    const cell = await imageGcCell(emu, f, quota, latencyMs, FAR_ABOVE, 4, true);
    cells.push(cell);
    progress(describeCell(`${f.name}, Q=${quota}/s, latency ${latencyMs} ms, default concurrency 4`, cell));
  }
  return { cells, cases };
}

function describeCell(label: string, c: ThroughputCell): string {
  return `  ${label}, rps ${c.requestsPerSecond}: deletion ${c.deletionRatio} Q, whole run ${c.wholeRunRatio} (${c.wallS} s), throttled ${(c.throttledShare * 100).toFixed(2)} %, failed ${c.failedItems}`;
}
