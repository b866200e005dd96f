/** The machine a figure was measured on, read from the system (never typed in). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly cpuMHz: number | null;
  /** cgroup v2 cpu.max, when the process is CPU-limited ("max 100000" = unlimited). */
  readonly cgroupCpuMax: string | null;
  readonly memoryGiB: number;
  readonly node: string;
  readonly v8: string;
  readonly os: string;
  readonly arch: string;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

export function machine(): Machine {
  const cpus = os.cpus();
  const fromProc = /^model name\s*:\s*(.+)$/m.exec(read('/proc/cpuinfo') ?? '')?.[1]?.trim();
  return {
    cpuModel: fromProc ?? cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    cpuMHz: cpus[0]?.speed || null,
    cgroupCpuMax: read('/sys/fs/cgroup/cpu.max'),
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()}`,
    arch: process.arch,
  };
}

/** 1-minute load average, a rough measure of how busy the machine was (other processes included). */
export function load1(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

export interface CodeVersion {
  /** `git rev-parse --short HEAD`, or BENCH_CODE_LABEL, or null outside a git checkout. */
  readonly commit: string | null;
  /** Files `git status --porcelain` lists: the figures are of the working tree, not of the commit alone. */
  readonly uncommittedFiles: number | null;
}

export function codeVersion(root: string): CodeVersion {
  const label = process.env['BENCH_CODE_LABEL'];
  const git = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const status = git(['status', '--porcelain']);
    return { commit: label ?? git(['rev-parse', '--short', 'HEAD']), uncommittedFiles: status === '' ? 0 : status.split('\n').length };
  } catch {
    return { commit: label ?? null, uncommittedFiles: null };
  }
}
