/**
 * The emulator in its own process, so that it and the collector do not share an event loop or a
 * core: a throughput figure measured with both in one process would charge the emulator's JSON
 * and signature work to the collector and the other way round. Driven over HTTP through the
 * emulator's control paths (test/emulator/README.md, "Control paths").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EmulatorCall, Fleet } from '../../emulator/index.js';
import { ROOT } from './paths.js';

export interface EmulatorProcess {
  readonly url: string;
  readonly pid: number;
  /** Replaces the fleet (and resets quotas, nonces, faults and the call log). Body at most 10 MB. */
  loadFleet(fleet: Fleet): Promise<void>;
  calls(): Promise<EmulatorCall[]>;
  clearCalls(): Promise<void>;
  state(): Promise<Fleet>;
  /** CPU seconds (user + system) the emulator process has used so far; null off Linux. */
  cpuSeconds(): number | null;
  close(): Promise<void>;
}

const CLK_TCK = 100;

/** utime + stime of a process from /proc, in seconds (Linux). */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return null;
  }
}

/**
 * Starts `node --import tsx test/emulator/main.ts --fleet FILE --port 0 --quiet` (node itself, not
 * npx, so the pid is the emulator's and SIGTERM reaches it) and waits for its `listening` line.
 */
export async function startEmulatorProcess(opts: { fleet: Fleet; dir: string; name?: string }): Promise<EmulatorProcess> {
  const file = join(opts.dir, `${opts.name ?? 'fleet'}.json`);
  writeFileSync(file, JSON.stringify(opts.fleet));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/emulator/main.ts'), '--fleet', file, '--port', '0', '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`the emulator did not start in 120 s: ${stderr}`)), 120_000);
    lines.on('line', (line) => {
      const m = /^listening (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited (${code}) before listening: ${stderr}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${url}/_emulator/${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  }

  return {
    url,
    pid: child.pid as number,
    loadFleet: async (fleet) => void (await control('PUT', 'fleet', fleet)),
    calls: () => control<EmulatorCall[]>('GET', 'calls'),
    clearCalls: async () => void (await control('DELETE', 'calls')),
    state: () => control<Fleet>('GET', 'state'),
    cpuSeconds: () => procCpuSeconds(child.pid as number),
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
