/** `gc validate --policy FILE`: load and check a policy; list every error at once. */
import { type Output, EXIT, loadPolicyOrThrow } from './common.js';

export function validateCommand(opts: { policy: string }, io: Output): number {
  const { policy, sha256 } = loadPolicyOrThrow(opts.policy);
  const kinds = [...new Set(policy.rules.map((r) => r.resource))].join(', ');
  io.out(`${opts.policy}: valid (sha256 ${sha256})`);
  io.out(`  mode ${policy.mode}; regions ${policy.regions.join(', ')}; ${policy.rules.length} rule(s) for ${kinds}`);
  io.out(
    `  limits: maxDeletionsPerRun ${policy.limits.maxDeletionsPerRun}, maxDeletionPercent ${policy.limits.maxDeletionPercent}, concurrency ${policy.limits.concurrency}, requestsPerSecond ${policy.limits.requestsPerSecond}`,
  );
  return EXIT.ok;
}
