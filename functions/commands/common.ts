/** What the CLI commands share: exit statuses, loading the policy, reading flags. */
import { parseEndpointOverride } from '../cloud/endpoints.js';
import { readTimeoutFromEnv } from '../client-setup.js';
import { formatPolicyErrors, loadPolicyFile } from '../policy/load.js';
import type { LoadedPolicy } from '../run.js';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { CredentialSource } from '../cloud/credentials.js';
import { AuditLog } from '../report/audit-log.js';
import { logSecrets } from '../report/secrets.js';

/** 0 done; 1 done with failures or aborted groups; 2 bad input (policy or flags), nothing listed, nothing changed. */
export const EXIT = { ok: 0, troubled: 1, badInput: 2 } as const;

export class BadInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadInput';
  }
}

export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
}

export const processOutput: Output = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  isTTY: process.stdout.isTTY === true,
};

export function loadPolicyOrThrow(file: string): LoadedPolicy {
  const loaded = loadPolicyFile(file);
  if (!loaded.ok) throw new BadInput(`invalid policy:\n${formatPolicyErrors(loaded.errors)}`);
  return { policy: loaded.policy, file, sha256: loaded.sha256 };
}

/** `--now 2026-11-22T00:00:00Z`: an ISO time with a zone, else bad input. */
export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value);
  const d = new Date(value);
  if (!ok || Number.isNaN(d.getTime())) throw new BadInput(`--now must be an ISO time with a zone, like 2026-11-22T00:00:00Z (got ${JSON.stringify(value)})`);
  return d;
}

/** IMAGE_GC_READ_TIMEOUT_MS as client options, a bad value being bad input. */
export function readTimeoutOption(env: NodeJS.ProcessEnv): { readTimeoutMs?: number } {
  try {
    const ms = readTimeoutFromEnv(env);
    return ms === undefined ? {} : { readTimeoutMs: ms };
  } catch (e) {
    throw new BadInput(e instanceof Error ? e.message : String(e));
  }
}

/** `--deadline ISO`: no deletion starts after it; null for none. */
export function parseDeadline(value: string | undefined): number | null {
  if (value === undefined) return null;
  try {
    return parseNow(value).getTime();
  } catch {
    throw new BadInput(`--deadline must be an ISO time with a zone, like 2026-11-22T06:00:00Z (got ${JSON.stringify(value)})`);
  }
}

/** `--endpoint http://127.0.0.1:PORT`, or IMAGE_GC_ENDPOINT. */
export function endpointFrom(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const value = flag ?? env['IMAGE_GC_ENDPOINT'];
  if (value === undefined || value === '') return undefined;
  if (!/^https?:\/\/[^/\s]+\/?$/.test(value)) throw new BadInput(`--endpoint must be a URL like http://127.0.0.1:8080 (got ${JSON.stringify(value)})`);
  // The client's own rule (no path, query or credentials) decides; refused here it is bad input, not a crash.
  try {
    parseEndpointOverride(value);
  } catch (e) {
    throw new BadInput(`--endpoint: ${e instanceof Error ? e.message : String(e)}`);
  }
  return value.replace(/\/$/, '');
}

/**
 * The audit log of a CLI run: to `--log FILE`, else on a terminal to image-gc-<run>.jsonl (the
 * terminal gets the tables), else to stdout as in Function Compute. `human`: the tables go to stdout.
 */
export function openAuditLog(logFlag: string | undefined, io: Output, credentials: CredentialSource, env: NodeJS.ProcessEnv): { runId: string; human: boolean; logFile: string | null; log: AuditLog } {
  const runId = randomUUID();
  const logFile = logFlag ?? (io.isTTY ? `image-gc-${runId}.jsonl` : null);
  const log = new AuditLog({
    runId,
    secrets: logSecrets(credentials, env),
    ...(logFile !== null ? { destination: pino.destination({ dest: logFile, sync: true, mkdir: true }) } : {}),
  });
  return { runId, human: io.isTTY || logFlag !== undefined, logFile, log };
}
