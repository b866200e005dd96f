/**
 * §5 Cold start: the deployed bundle's size, and the time to start Node, import the bundle and build
 * the handler's first client (coldStartProbe), against `node -e 0`: the same two commands as
 * scripts/build.ts measureColdStart, but alternated run by run, so a burst of load from elsewhere
 * hits both sides alike. Medians.
 */
import { execFileSync } from 'node:child_process';
import { bundle } from '../lib/bundle.js';
import { median, round } from '../lib/stats.js';
import type { ColdStart } from '../types.js';

/** As scripts/build.ts measureColdStart: import twice (the second from the cache), check the export, probe. */
const IMPORT_AND_PROBE = "const m=require('./index.js');require('./index.js');if(typeof m.handler!=='function')process.exit(3);m.coldStartProbe()";

function timeNode(code: string, cwd: string): number {
  const t0 = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', code], { cwd, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function runColdStart(quick: boolean): Promise<ColdStart> {
  const b = await bundle();
  const runs = quick ? 5 : 21;
  // One of each first, not counted: the page cache and the bundle's first read.
  timeNode('0', b.dir);
  timeNode(IMPORT_AND_PROBE, b.dir);
  const bare: number[] = [];
  const imported: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timeNode('0', b.dir));
    imported.push(timeNode(IMPORT_AND_PROBE, b.dir));
  }
  const bareMs = median(bare);
  const importMs = median(imported);
  return {
    bundleBytes: b.bytes,
    bundleGzipBytes: b.gzipBytes,
    runs,
    bareMs: round(bareMs, 1),
    importMs: round(importMs, 1),
    ratio: round(importMs / bareMs),
    bareSamplesMs: bare.map((x) => round(x, 1)),
    importSamplesMs: imported.map((x) => round(x, 1)),
  };
}
