/**
 * The deployed bundle, built once per benchmark run with scripts/build.ts buildBundle() and then
 * copied to a private directory, so a concurrent `npm run build` (which empties dist/) cannot pull
 * it away mid-measurement.
 */
import { copyFileSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { buildBundle } from '../../../scripts/build.js';
import { ROOT, scratchDir } from './paths.js';

export interface BuiltBundle {
  /** Directory holding index.js and the package.json that makes Node read it as CommonJS. */
  readonly dir: string;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

let built: Promise<BuiltBundle> | undefined;

export function bundle(): Promise<BuiltBundle> {
  built ??= (async () => {
    const { bytes } = await buildBundle();
    const dir = scratchDir('bundle');
    for (const f of ['index.js', 'package.json']) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
    const file = join(dir, 'index.js');
    if (statSync(file).size !== bytes) throw new Error('dist/index.js changed while it was being copied (a concurrent build?)');
    return { dir, file, bytes, gzipBytes: gzipSync(readFileSync(file), { level: 9 }).length };
  })();
  return built;
}

/** A bench child written in TypeScript, bundled to plain ESM so that no loader runs in the measured process. */
export async function childScript(name: string): Promise<string> {
  const out = join(scratchDir('child'), `${name}.mjs`);
  await build({ entryPoints: [join(ROOT, 'test/bench/children', `${name}.ts`)], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'esm', logLevel: 'warning' });
  return out;
}
