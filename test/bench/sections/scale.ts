/**
 * §4 Scale: 10,000 and 100,000 images across four regions (lib/fleets.ts scaleFleet).
 * - plan(): CPU time (process.cpuUsage) in a fresh child that listed the fleet itself.
 * - The whole run: the deployed bundle's FC handler in a child of its own (peak RSS is the
 *   collector's alone; the emulator is another process), enforce mode with maxDeletionsPerRun as
 *   the cap, at a high quota.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmulatorCall } from '../../emulator/index.js';
import { bundle, childScript } from '../lib/bundle.js';
import { startEmulatorProcess } from '../lib/emulator-process.js';
import { imagesIn, listingMinimum, REGIONS, scaleFleet, scalePolicy, STS_KEY } from '../lib/fleets.js';
import { ROOT, scratchDir } from '../lib/paths.js';
import { median, round, sum } from '../lib/stats.js';
import type { ScaleCase } from '../types.js';

export const SCALE_QUOTA = 1000;
export const SCALE_LATENCY_MS = 20;
export const SCALE_CAP = 1000;
/** Half of a 512 MB instance for the old generation, the rest for everything else. */
export const CAPPED_HEAP_MIB = 256;
const PLAN_CHILDREN = 3;
const CHILD_TIMEOUT_MS = 10 * 60_000;

/** Runs a child with the result pipe on fd 3 and stdout into `stdoutFile`; resolves with the parsed result. */
function runChild<T>(args: readonly string[], env: NodeJS.ProcessEnv, stdoutFile: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const out = openSync(stdoutFile, 'w');
    const child = spawn(process.execPath, [...args], { cwd: ROOT, env, stdio: ['ignore', out, 'pipe', 'pipe'] });
    let stderr = '';
    let result = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
    (child.stdio[3] as NodeJS.ReadableStream).setEncoding('utf8').on('data', (d: string) => (result += d));
    // No child takes minutes on any fleet here: a hung one is killed rather than hanging the bench.
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      closeSync(out);
      if (code !== 0 || result === '') reject(new Error(`${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve(JSON.parse(result) as T);
    });
  });
}

interface PlanChildResult {
  items: number;
  heap: { inventory: number; plan: number } | null;
  listWallS: number;
  cpuS: number[];
  wallS: number[];
}

interface FcChildResult {
  importS: number;
  wallS: number;
  maxRssKiB: number;
  cpuS: number;
  heapUsed: number;
  summary: { listed: number; decisions: Record<string, number>; outcomes: Record<string, number>; apiCalls: number; exitStatus: number; mode: string };
}

export async function runScale(quick: boolean, progress: (line: string) => void): Promise<ScaleCase[]> {
  const sizes = quick ? [2_000, 10_000] : [10_000, 100_000];
  const { file: bundleFile } = await bundle();
  const fcChild = await childScript('fc-child');
  const out: ScaleCase[] = [];
  for (const total of sizes) {
    const dir = scratchDir(`scale-${total}`);
    const fleet = scaleFleet(total, { qps: { default: SCALE_QUOTA }, latencyMs: SCALE_LATENCY_MS });
    const emu = await startEmulatorProcess({ fleet, dir, name: 'scale' });
    try {
      const env = { PATH: process.env['PATH'], ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true' };
      const limits = { maxDeletionsPerRun: SCALE_CAP, maxDeletionPercent: 100, concurrency: 16, requestsPerSecond: SCALE_QUOTA };

      const dryPolicy = join(dir, 'policy-dry.yaml');
      writeFileSync(dryPolicy, scalePolicy(limits, 'dry-run'));
      // A cold plan() happens once per process: take it in PLAN_CHILDREN fresh processes and keep the median.
      const children: PlanChildResult[] = [];
      let inventoryCalls: EmulatorCall[] = [];
      for (let i = 0; i < PLAN_CHILDREN; i++) {
        children.push(await runChild<PlanChildResult>(['--expose-gc', '--import', 'tsx', join(ROOT, 'test/bench/children/plan-child.ts'), dryPolicy, emu.url], env, join(dir, 'plan-child.out')));
        // The plan child only lists: its calls are the inventory's, with no sweep (re-reads) mixed in.
        if (i === 0) inventoryCalls = await emu.calls();
        await emu.clearCalls();
      }
      const firsts = children.map((c) => c.cpuS[0] ?? NaN);
      const planned = children[firsts.indexOf([...firsts].sort((a, b) => a - b)[Math.floor(firsts.length / 2)] as number)] as PlanChildResult;
      progress(`  ${total} images: listed in ${round(planned.listWallS, 2)} s; plan() ${planned.items} items: first ${firsts.map((x) => round(x)).join(' / ')} s CPU, warm median ${round(median(planned.cpuS.slice(1)))} s`);

      const policy = join(dir, 'policy.yaml');
      writeFileSync(policy, scalePolicy(limits, 'enforce'));
      const logFile = join(dir, 'audit.jsonl');
      const ran = await runChild<FcChildResult>(
        [fcChild, bundleFile],
        // IMAGE_GC_MODE=enforce: the deploy-time switch; deleting needs it and the policy's mode alike.
        { ...env, IMAGE_GC_POLICY: policy, IMAGE_GC_ENDPOINT: emu.url, IMAGE_GC_MODE: 'enforce', BENCH_KEY: JSON.stringify(STS_KEY) },
        logFile,
      );
      const logBytes = statSync(logFile).size;
      unlinkSync(logFile);
      const calls = await emu.calls();
      // Again with the heap capped: V8 sizes its heap from the machine's memory (GiBs here), so the
      // first figure shows how lazily it collects, this one whether the run fits a small instance.
      let cappedHeap: ScaleCase['run']['cappedHeap'];
      try {
        const capped = await runChild<FcChildResult>(
          [`--max-old-space-size=${CAPPED_HEAP_MIB}`, fcChild, bundleFile],
          { ...env, IMAGE_GC_POLICY: policy, IMAGE_GC_ENDPOINT: emu.url, IMAGE_GC_MODE: 'enforce', BENCH_KEY: JSON.stringify(STS_KEY) },
          logFile,
        );
        cappedHeap = { maxOldSpaceMiB: CAPPED_HEAP_MIB, peakRssMiB: round(capped.maxRssKiB / 1024, 1), wallS: round(capped.wallS), error: null };
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        cappedHeap = { maxOldSpaceMiB: CAPPED_HEAP_MIB, peakRssMiB: null, wallS: null, error: /heap out of memory/i.test(message) ? 'JavaScript heap out of memory' : message.slice(-300) };
      }
      unlinkSync(logFile);
      const minimumByAction = listingMinimum(fleet, REGIONS, ['ecs-image', 'ehpc-image', 'wuying-image', 'image-pipeline']);
      const minimum = sum(Object.values(minimumByAction));
      const isListing = (c: EmulatorCall) => c.action in minimumByAction;
      const listingCalls = inventoryCalls.filter(isListing).length;
      const otherCalls: Record<string, number> = {};
      for (const c of inventoryCalls) if (!isListing(c)) otherCalls[c.action] = (otherCalls[c.action] ?? 0) + 1;
      const callsByAction: Record<string, number> = {};
      for (const c of calls) callsByAction[c.action] = (callsByAction[c.action] ?? 0) + 1;
      const s = ran.summary;
      const result: ScaleCase = {
        images: imagesIn(fleet),
        pipelines: Object.values(fleet.regions).reduce((n, r) => n + (r.pipelines?.length ?? 0), 0),
        regions: REGIONS.length,
        latencyMs: SCALE_LATENCY_MS,
        quota: SCALE_QUOTA,
        plan: {
          items: planned.items,
          firstCpuS: round(planned.cpuS[0] ?? NaN),
          firstCpuSamplesS: firsts.map((x) => round(x)),
          warmCpuS: round(median(planned.cpuS.slice(1))),
          firstWallS: round(planned.wallS[0] ?? NaN),
          listWallS: round(planned.listWallS),
          inventoryHeapMiB: planned.heap ? round(planned.heap.inventory / 1024 ** 2, 1) : null,
          planHeapMiB: planned.heap ? round(planned.heap.plan / 1024 ** 2, 1) : null,
        },
        run: {
          mode: s.mode,
          maxDeletionsPerRun: SCALE_CAP,
          wallS: round(ran.wallS),
          importS: round(ran.importS),
          peakRssMiB: round(ran.maxRssKiB / 1024, 1),
          cappedHeap,
          heapUsedMiB: round(ran.heapUsed / 1024 ** 2, 1),
          cpuS: round(ran.cpuS),
          listed: s.listed,
          decisions: s.decisions,
          outcomes: Object.fromEntries(Object.entries(s.outcomes).filter(([, v]) => v > 0)),
          apiCalls: calls.length,
          callsByAction,
          listingCalls,
          listingMinimum: minimum,
          otherCalls,
          logBytes,
          exitStatus: s.exitStatus,
        },
      };
      progress(
        `  ${total} images: whole run ${result.run.wallS} s, peak RSS ${result.run.peakRssMiB} MiB (heap capped at ${CAPPED_HEAP_MIB} MiB: ${cappedHeap.peakRssMiB ?? cappedHeap.error} MiB), ${result.run.apiCalls} calls (listing ${listingCalls}, minimum ${minimum}), outcomes ${JSON.stringify(result.run.outcomes)}`,
      );
      out.push(result);
    } finally {
      await emu.close();
    }
  }
  return out;
}
