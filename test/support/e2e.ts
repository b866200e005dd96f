/**
 * End-to-end helpers: an emulator with a fleet, a policy file on disk, and the collector's real
 * entry points (CLI main, FC handler) pointed at the emulator over HTTP. Nothing of image-gc is
 * mocked: only the cloud is the emulator.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Output } from '../../functions/commands/common.js';
import { main } from '../../functions/commands/main.js';
import { startEmulator, type Emulator, type EmulatorCall, type Fleet } from '../emulator/index.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const TEST_KEY = { accessKeyId: 'e2e-key-id-0001', accessKeySecret: 'e2e-secret-value-0001' };

/** Actions that change the cloud. */
export const MUTATING = new Set(['DeleteImage', 'RemoveImage', 'TagResources', 'UntagResources', 'DeleteImagePipeline', 'DeleteSnapshot']);
export const mutatingCalls = (calls: readonly EmulatorCall[]) => calls.filter((c) => MUTATING.has(c.action));

/**
 * One emulator for a whole test file, its fleet loaded afresh before each test; returns a getter
 * (the emulator exists only once the file's beforeAll has run).
 */
export function emulatorPerFile(fleet: () => Fleet): () => Emulator {
  let emu: Emulator | undefined;
  beforeAll(async () => {
    emu = await startEmulator({ fleet: fleet(), port: 0 });
  });
  beforeEach(() => emu?.loadFleet(fleet()));
  afterAll(async () => {
    await emu?.close();
  });
  return () => {
    if (emu === undefined) throw new Error('the emulator starts in beforeAll: use it inside a test or a hook');
    return emu;
  };
}

export async function emulatorWith(fleet: Fleet): Promise<Emulator> {
  return startEmulator({ fleet: { credentials: [TEST_KEY], ...fleet }, port: 0, quiet: true });
}

export function tempDir(prefix = 'image-gc-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writePolicy(dir: string, yaml: string, name = 'policy.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

export function envFor(emu: Emulator, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'],
    ALIBABA_CLOUD_ACCESS_KEY_ID: TEST_KEY.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: TEST_KEY.accessKeySecret,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    IMAGE_GC_ENDPOINT: emu.url,
    ...extra,
  };
}

export interface Captured extends Output {
  readonly stdout: string[];
  readonly stderr: string[];
}

export function capture(isTTY = false): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, isTTY, out: (t) => stdout.push(t), err: (t) => stderr.push(t) };
}

/** The CLI in-process: same code path as `npm run gc`, output captured. */
export async function cli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await main(argv, io, env);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

/**
 * The CLI as its own process, exactly as `npm run gc -- ...` runs it. Asynchronous: the emulator
 * usually lives in the test's own event loop and must keep answering while the child runs.
 */
export function cliProcess(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return runProcess(process.execPath, ['--import', 'tsx', join(ROOT, 'functions/cli.ts'), ...argv], env);
}

export function runProcess(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A pino destination that keeps every line, parsed. */
export function logSink(): { destination: Writable & { write(s: string): boolean }; lines: Array<Record<string, unknown>>; raw: string[] } {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) {
        if (line.trim() === '') continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { destination, lines, raw };
}

/** Image, pipeline and WUYING IDs in a fleet (or an emulator state). */
export function idsIn(fleet: Fleet): Set<string> {
  const ids = new Set<string>();
  for (const region of Object.values(fleet.regions)) {
    for (const i of region.images ?? []) ids.add(i.ImageId);
    for (const p of region.pipelines ?? []) ids.add(p.ImagePipelineId);
  }
  for (const w of fleet.wuying?.images ?? []) ids.add(w.ImageId);
  return ids;
}
