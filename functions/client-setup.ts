/**
 * Building the run's cloud client from the policy and the entry point's inputs, the same way for
 * the handler and the CLI: the policy's limits become the rate limits, dry-run makes the client
 * refuse any mutating call outright (a second lock behind the sweep's), and the deadline stops
 * new attempts.
 */
import type { CloudApi } from './cloud/api.js';
import { createCloudClient, type CredentialSource } from './cloud/client.js';
import { secretValues } from './cloud/credentials.js';
import type { Mode, Policy } from './policy/types.js';

export interface ClientSetup {
  readonly credentials: CredentialSource;
  /** Every product's calls go to this URL (the emulator); the real endpoints when absent. */
  readonly endpoint?: string;
  readonly policy: Policy;
  readonly mode: Mode;
  readonly deadline: number | null;
}

export interface RunClient {
  readonly api: CloudApi;
  readonly stats: () => { calls: number; throttled: number };
  /** Values the audit log must redact. */
  readonly secrets: readonly string[];
}

export function setUpClient(s: ClientSetup): RunClient {
  const client = createCloudClient({
    credentials: s.credentials,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    rate: { requestsPerSecond: s.policy.limits.requestsPerSecond, concurrency: s.policy.limits.concurrency },
    dryRun: s.mode === 'dry-run',
    ...(s.deadline !== null ? { deadline: s.deadline } : {}),
  });
  return {
    api: client,
    stats: () => {
      const st = client.stats();
      return { calls: st.calls, throttled: st.throttled };
    },
    secrets: secretValues(s.credentials),
  };
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
