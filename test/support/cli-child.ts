/**
 * The CLI as a child process the test can kill. `npm run gc` runs functions/cli.ts through tsx,
 * which costs ~0.8 s of start-up per process; a crash test starts dozens, so the same entry point
 * is bundled once per test process with esbuild (as scripts/build.ts bundles the handler:
 * CommonJS, because the SDK breaks under ESM bundling) and run with plain node (~0.15 s).
 * Set RELIABILITY_CLI=tsx to run the sources through tsx instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ROOT } from './e2e.js';

let bundled: Promise<string> | null = null;

/** Path of the bundled CLI (built on first use). */
export function cliBundle(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'image-gc-cli-')), 'cli.cjs');
    await build({ entryPoints: [join(ROOT, 'functions/cli.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
    return outfile;
  })();
  return bundled;
}

export interface CliChild {
  readonly child: ChildProcess;
  readonly startedAt: number;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; endedAt: number }>;
}

export async function startCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<CliChild> {
  const args = process.env['RELIABILITY_CLI'] === 'tsx' ? ['--import', 'tsx', join(ROOT, 'functions/cli.ts'), ...argv] : [await cliBundle(), ...argv];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const startedAt = Date.now();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; endedAt: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, endedAt: Date.now() }));
  });
  return { child, startedAt, exited };
}
