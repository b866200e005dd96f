/**
 * One collector run in this process, through the same pieces the FC handler and the CLI use:
 * loadPolicy → setUpClient (the policy's limits become the client's) → runCollector. The audit
 * log is serialised as always and then counted instead of written.
 */
import { randomUUID } from 'node:crypto';
import { secretValues } from '../../../functions/cloud/credentials.js';
import { setUpClient } from '../../../functions/client-setup.js';
import { formatPolicyErrors, loadPolicy } from '../../../functions/policy/load.js';
import { AuditLog } from '../../../functions/report/audit-log.js';
import { runCollector, type RunResult } from '../../../functions/run.js';
import { KEY } from './fleets.js';

export interface InProcessRun {
  readonly result: RunResult;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly logBytes: number;
  readonly logLines: number;
  readonly clientCalls: number;
  readonly clientThrottled: number;
}

export function parsePolicy(yaml: string) {
  const loaded = loadPolicy({ text: yaml, file: 'bench-policy.yaml' });
  if (!loaded.ok) throw new Error(`bench policy invalid:\n${formatPolicyErrors(loaded.errors)}\n${yaml}`);
  return loaded;
}

export async function runInProcess(opts: { endpoint: string; policyYaml: string; now?: Date }): Promise<InProcessRun> {
  const loaded = parsePolicy(opts.policyYaml);
  const credentials = { kind: 'static' as const, ...KEY };
  const client = setUpClient({ credentials, endpoint: opts.endpoint, policy: loaded.policy, mode: loaded.policy.mode, deadline: null });
  let logBytes = 0;
  let logLines = 0;
  const sink = {
    write(line: string) {
      logBytes += Buffer.byteLength(line);
      logLines++;
    },
  };
  const log = new AuditLog({ runId: randomUUID(), secrets: secretValues(credentials), destination: sink });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await runCollector({
    policy: { policy: loaded.policy, file: 'bench-policy.yaml', sha256: loaded.sha256 },
    api: client.api,
    mode: loaded.policy.mode,
    modeReason: 'policy',
    now: opts.now ?? new Date(),
    deadline: null,
    log,
    trigger: { name: 'bench' },
    apiStats: client.stats,
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const stats = client.stats();
  return { result, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, logBytes, logLines, clientCalls: stats.calls, clientThrottled: stats.throttled };
}
