/**
 * Building the run's cloud client from the policy and the entry point's inputs, the same way for
 * the handler and the CLI: the policy's limits become the rate limits, dry-run makes the client
 * refuse any mutating call outright (a second lock behind the sweep's), and the deadline stops
 * new attempts.
 */
import type { CloudApi } from './cloud/api.js';
import { createCloudClient, type CredentialSource } from './cloud/client.js';
import type { Mode, Policy } from './policy/types.js';

export interface ClientSetup {
  readonly credentials: CredentialSource;
  /** Every product's calls go to this URL (the emulator); the real endpoints when absent. */
  readonly endpoint?: string;
  readonly policy: Policy;
  readonly mode: Mode;
  readonly deadline: number | null;
  /** Per attempt; the client's default (10 s) when absent. */
  readonly readTimeoutMs?: number;
}

export interface RunClient {
  readonly api: CloudApi;
  readonly stats: () => { calls: number; throttled: number };
}

export function setUpClient(s: ClientSetup): RunClient {
  const client = createCloudClient({
    credentials: s.credentials,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    rate: { requestsPerSecond: s.policy.limits.requestsPerSecond, concurrency: s.policy.limits.concurrency },
    dryRun: s.mode === 'dry-run',
    ...(s.deadline !== null ? { deadline: s.deadline } : {}),
    ...(s.readTimeoutMs !== undefined ? { readTimeoutMs: s.readTimeoutMs } : {}),
  });
  return {
    api: client,
    stats: () => client.stats(),
  };
}

/**
 * IMAGE_GC_READ_TIMEOUT_MS: how long one API attempt may wait for its answer (default 10 s). A
 * function with a short timeout, or a test against a hanging emulator, wants it shorter.
 */
export function readTimeoutFromEnv(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env['IMAGE_GC_READ_TIMEOUT_MS'];
  if (raw === undefined || raw === '') return undefined;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 100 || ms > 120_000) throw new Error(`IMAGE_GC_READ_TIMEOUT_MS must be a whole number of milliseconds from 100 to 120000, not ${JSON.stringify(raw)}`);
  return ms;
}

/** Credentials from the usual environment variables when set, else the @alicloud/credentials chain. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): CredentialSource {
  const id = env['ALIBABA_CLOUD_ACCESS_KEY_ID'];
  const secret = env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'];
  if (id && secret) {
    const token = env['ALIBABA_CLOUD_SECURITY_TOKEN'];
    return { kind: 'static', accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) };
  }
  return { kind: 'chain' };
}
