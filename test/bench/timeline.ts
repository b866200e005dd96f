/**
 * One §1 cell, second by second: how many DeleteImage calls the emulator admitted and throttled in
 * each second of the run, to see where a throughput figure goes (the ramp, a cut, a stall).
 * npx tsx test/bench/timeline.ts [--n 2000] [--regions 1] [--quota 100] [--latency 100] [--rps 95] [--concurrency 16]
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runInProcess } from './lib/collector.js';
import { startEmulatorProcess } from './lib/emulator-process.js';
import { deletableFleet, deleteAllPolicy, REGIONS } from './lib/fleets.js';
import { scratchDir } from './lib/paths.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    regions: { type: 'string', default: '1' },
    quota: { type: 'string', default: '100' },
    latency: { type: 'string', default: '100' },
    rps: { type: 'string', default: '95' },
    concurrency: { type: 'string', default: '16' },
  },
});
const regions = REGIONS.slice(0, Number(values.regions));
const perRegion = Math.round(Number(values.n) / regions.length);
const quota = Number(values.quota);
const dir = scratchDir('timeline');
const emu = await startEmulatorProcess({ fleet: deletableFleet(regions, perRegion, { qps: { DeleteImage: quota }, latencyMs: Number(values.latency) }), dir });
try {
  const run = await runInProcess({
    endpoint: emu.url,
    policyYaml: deleteAllPolicy(regions, { maxDeletionsPerRun: perRegion * regions.length, maxDeletionPercent: 100, concurrency: Number(values.concurrency), requestsPerSecond: Number(values.rps) }),
  });
  const deletes = (await emu.calls()).filter((c) => c.action === 'DeleteImage');
  const t0 = deletes[0]?.t ?? 0;
  const seconds = new Map<number, { ok: number; throttled: number }>();
  for (const c of deletes) {
    const s = Math.floor((c.t - t0) / 1000);
    const e = seconds.get(s) ?? { ok: 0, throttled: 0 };
    if (c.code === 'Throttling') e.throttled++;
    else e.ok++;
    seconds.set(s, e);
  }
  process.stdout.write(`second  admitted  throttled  (per region: ÷ ${regions.length}; quota ${quota}/s per region)\n`);
  for (const [s, e] of [...seconds.entries()].sort((a, b) => a[0] - b[0])) {
    process.stdout.write(`${String(s).padStart(6)}  ${String(e.ok).padStart(8)}  ${String(e.throttled).padStart(9)}  ${'#'.repeat(Math.round(e.ok / regions.length / (quota / 50)))}\n`);
  }
  const span = ((deletes[deletes.length - 1]?.t ?? 0) - t0) / 1000;
  process.stdout.write(`whole run ${(run.wallMs / 1000).toFixed(1)} s, deletion phase ${span.toFixed(1)} s, ${deletes.length} DeleteImage calls\n`);
} finally {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
}
