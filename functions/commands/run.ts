/**
 * `gc run --policy FILE [--dry-run] [--now ISO] [--deadline ISO] [--endpoint URL] [--log FILE]`: one collector run,
 * exactly as the function does it. The audit log (JSON lines) goes to --log FILE, or to stdout
 * when stdout is not a terminal (the same lines Function Compute ships to SLS); at a terminal,
 * stdout shows people a progress line and tables, and the audit log goes to a file it names.
 */
import { credentialsFromEnv, setUpClient } from '../client-setup.js';
import { resolveMode } from '../mode.js';
import { outcomeTable, snapshotTable, summaryText } from '../report/table.js';
import { runCollector, type RunResult } from '../run.js';
import { type Output, endpointFrom, openAuditLog, loadPolicyOrThrow, parseNow, parseDeadline, readTimeoutOption } from './common.js';

export interface RunFlags {
  readonly policy: string;
  readonly dryRun?: boolean;
  readonly now?: string;
  readonly endpoint?: string;
  readonly log?: string;
  /** ISO time: no deletion starts after it; what is left is reported skipped. */
  readonly deadline?: string;
}

export async function runCommand(flags: RunFlags, io: Output, env: NodeJS.ProcessEnv = process.env): Promise<{ exit: number; result: RunResult; logFile: string | null }> {
  const loaded = loadPolicyOrThrow(flags.policy);
  const now = parseNow(flags.now);
  const endpoint = endpointFrom(flags.endpoint, env);
  const mode = resolveMode(loaded.policy.mode, [{ by: '--dry-run flag', mode: flags.dryRun ? 'dry-run' : undefined }]);
  const credentials = credentialsFromEnv(env);
  const deadline = parseDeadline(flags.deadline);
  // --deadline stops the sweep starting deletions; the listing and the calls in flight are not cut short.
  const client = setUpClient({ credentials, endpoint, policy: loaded.policy, mode: mode.mode, deadline: null, ...readTimeoutOption(env) });
  const { human, logFile, log } = openAuditLog(flags.log, io, credentials, env);
  const progress = io.isTTY ? (done: number, total: number) => process.stdout.write(`\r  ${done}/${total} actions done`) : undefined;
  const result = await runCollector({
    policy: loaded,
    api: client.api,
    mode: mode.mode,
    modeReason: mode.reason,
    now,
    deadline,
    log,
    trigger: { name: 'cli', time: new Date().toISOString() },
    apiStats: client.stats,
    ...(progress ? { onProgress: progress } : {}),
  });
  if (progress && result.outcomes.length > 0) process.stdout.write('\r\u001b[K');
  if (human) {
    if (result.outcomes.length > 0) io.out(outcomeTable(result.outcomes, { color: io.isTTY }));
    if ((result.snapshotOutcomes ?? []).length > 0) io.out(snapshotTable(result.snapshotOutcomes ?? [], { color: io.isTTY }));
    io.out(summaryText(result.summary));
    if (logFile !== null) io.out(`audit log: ${logFile}`);
  } else {
    io.err(summaryText(result.summary));
  }
  return { exit: result.summary.exitStatus, result, logFile };
}
