/**
 * The Function Compute entry point, bundled as dist/index.js (handler `index.handler`).
 * A timer trigger invokes it with a Buffer holding {triggerTime, triggerName, payload}; the
 * payload may ask for a dry-run and nothing more. Credentials are the function role's STS keys
 * from the context; the policy is a file in the code package.
 */
import { randomUUID } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import type { DestinationStream } from 'pino';
import { DEFAULT_READ_TIMEOUT_MS } from './cloud/client.js';
import { credentialsFromEnv, readTimeoutFromEnv, setUpClient } from './client-setup.js';
import type { FcContext, FcEventHandler } from './fc-types.js';
import { parseMode, resolveMode } from './mode.js';
import { formatPolicyErrors, loadPolicyFile } from './policy/load.js';
import { AuditLog } from './report/audit-log.js';
import { logSecrets } from './report/secrets.js';
import type { RunSummary } from './report/summary.js';
import { runCollector } from './run.js';

const DEFAULT_POLICY = 'policies/default.yaml';

/** Time kept back before FC's timeout: no deletion starts inside it, so the run ends on its own terms. */
export function deadlineMargin(timeoutMs: number): number {
  return Math.min(Math.max(30_000, timeoutMs * 0.1), 300_000);
}

interface Trigger {
  readonly triggerTime: string | null;
  readonly triggerName: string | null;
  readonly payload: { dryRun?: boolean; mode?: string };
}

/** The timer event; an event or payload that cannot be read is an error, never a guess. */
export function parseTrigger(event: Buffer | string | undefined): Trigger {
  const text = Buffer.isBuffer(event) ? event.toString('utf8') : (event ?? '');
  if (text.trim() === '') return { triggerTime: null, triggerName: null, payload: {} };
  const outer: unknown = JSON.parse(text);
  if (typeof outer !== 'object' || outer === null || Array.isArray(outer)) throw new Error('the event is not a JSON object');
  const o = outer as Record<string, unknown>;
  const raw = o['payload'];
  let payload: unknown = {};
  if (typeof raw === 'string' && raw.trim() !== '') payload = JSON.parse(raw);
  else if (typeof raw === 'object' && raw !== null) payload = raw;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new Error('the trigger payload is not a JSON object');
  const allowed = new Set(['dryRun', 'mode']);
  const unknown = Object.keys(payload).filter((k) => !allowed.has(k));
  if (unknown.length > 0) throw new Error(`the trigger payload has unknown keys: ${unknown.join(', ')} (it may hold only dryRun and mode)`);
  const p = payload as { dryRun?: unknown; mode?: unknown };
  if (p.dryRun !== undefined && typeof p.dryRun !== 'boolean') throw new Error('payload dryRun must be true or false');
  return {
    triggerTime: typeof o['triggerTime'] === 'string' ? o['triggerTime'] : null,
    triggerName: typeof o['triggerName'] === 'string' ? o['triggerName'] : null,
    payload: p as Trigger['payload'],
  };
}

export interface HandlerOptions {
  /** Where the audit log goes; stdout (fd 1, synchronous) in Function Compute. */
  readonly destination?: DestinationStream;
}

export function createHandler(options: HandlerOptions = {}): FcEventHandler<RunSummary> {
  return (event, context) => handle(event, context, options);
}

/** What Function Compute calls: `index.handler`. */
export const handler: FcEventHandler<RunSummary> = createHandler();

async function handle(event: Buffer, context: FcContext, options: HandlerOptions): Promise<RunSummary> {
  const started = Date.now();
  const env = process.env;
  const runId = randomUUID();
  const fcCredentials = context.credentials?.accessKeyId ? context.credentials : null;
  const credentials = fcCredentials
    ? { kind: 'static' as const, accessKeyId: fcCredentials.accessKeyId, accessKeySecret: fcCredentials.accessKeySecret, ...(fcCredentials.securityToken ? { securityToken: fcCredentials.securityToken } : {}) }
    : credentialsFromEnv(env);
  const log = new AuditLog({ runId, secrets: logSecrets(credentials, env), ...(options.destination ? { destination: options.destination } : {}) });

  const codeRoot = env['FC_FUNC_CODE_PATH'] || process.cwd();
  const policyPath = env['IMAGE_GC_POLICY'] || DEFAULT_POLICY;
  const policyFile = isAbsolute(policyPath) ? policyPath : join(codeRoot, policyPath);

  let trigger: Trigger;
  let envMode;
  let payloadMode;
  let readTimeoutMs: number;
  try {
    trigger = parseTrigger(event);
    envMode = parseMode(env['IMAGE_GC_MODE'], 'IMAGE_GC_MODE');
    readTimeoutMs = readTimeoutFromEnv(env) ?? DEFAULT_READ_TIMEOUT_MS;
    payloadMode = trigger.payload.dryRun === true ? 'dry-run' : parseMode(trigger.payload.mode, 'payload mode');
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log.runRejected('bad trigger event or environment', [message]);
    throw new Error(`image-gc: ${message}`);
  }
  const loaded = loadPolicyFile(policyFile);
  if (!loaded.ok) {
    log.runRejected('invalid policy', formatPolicyErrors(loaded.errors).split('\n'));
    throw new Error(`image-gc: invalid policy ${policyFile}:\n${formatPolicyErrors(loaded.errors)}`);
  }
  const mode = resolveMode(loaded.policy.mode, [
    { by: 'IMAGE_GC_MODE', mode: envMode },
    { by: 'trigger payload', mode: payloadMode as 'dry-run' | 'enforce' | undefined },
  ]);
  const timeoutMs = (context.function?.timeout ?? 900) * 1000;
  const deadline = started + timeoutMs - deadlineMargin(timeoutMs);
  const client = setUpClient({
    credentials,
    endpoint: env['IMAGE_GC_ENDPOINT'] || undefined,
    policy: loaded.policy,
    mode: mode.mode,
    // No attempt starts once it could outlive FC's timeout: one that starts before this ends (answer
    // or read timeout) at least 5 s before FC kills the instance, so run.finish is always written.
    deadline: started + timeoutMs - readTimeoutMs - 5_000,
    readTimeoutMs,
  });
  for (const note of mode.ignored) log.warn('run.warning', note);
  const { summary } = await runCollector({
    policy: { policy: loaded.policy, file: policyPath, sha256: loaded.sha256 },
    api: client.api,
    mode: mode.mode,
    modeReason: mode.reason,
    now: new Date(started),
    deadline,
    log,
    trigger: { name: trigger.triggerName, time: trigger.triggerTime, requestId: context.requestId ?? null, function: context.function?.name ?? null },
    apiStats: client.stats,
  });
  return summary;
}

/**
 * Builds a client the way the first invocation does, without calling anything: the cold-start
 * benchmark and the build's budget check import the bundle and call this.
 */
export function coldStartProbe(): void {
  setUpClient({
    credentials: { kind: 'static', accessKeyId: 'probe', accessKeySecret: 'probe-secret', securityToken: 'probe-token' },
    endpoint: 'http://127.0.0.1:9',
    policy: { version: 1, mode: 'dry-run', regions: ['cn-hangzhou'], limits: { maxDeletionsPerRun: 0, maxDeletionPercent: 0, concurrency: 1, requestsPerSecond: 1 }, protect: { tags: [], ids: [] }, rules: [] },
    mode: 'dry-run',
    deadline: null,
  });
}
