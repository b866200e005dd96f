/** A small plan file made the way `gc plan --out` makes one, for the plan-file unit tests. */
import { buildPlanFile } from '../../functions/plan-file/write.js';
import type { PlanFile } from '../../functions/plan-file/types.js';
import { plan } from '../../functions/plan/planner.js';
import { daysAgo, fleet, item, NOW, policy, rule } from '../support/builders.js';

export const SAMPLE_SHA = 'a'.repeat(64);
export const SAMPLE_ACCOUNT = { accountId: '1234567890123456', arn: 'acs:ram::1234567890123456:root', identityType: 'Account' };

export function samplePlanFile(opts: { createdAt?: Date; ttlMs?: number; key?: string | null } = {}): PlanFile {
  const inventory = fleet([
    item({ name: 'old', createdAt: daysAgo(90), tags: { team: 'hpc' } }),
    item({ name: 'new', createdAt: daysAgo(1) }),
    item({ name: 'kept', createdAt: daysAgo(80), tags: { 'image-gc:keep': 'true' } }),
  ]);
  const p = policy({ rules: [rule({ name: 'r', keep: { newest: 1 } })], limits: { maxDeletionPercent: 100 } });
  return buildPlanFile({
    plan: plan(inventory, p, NOW),
    inventory,
    account: SAMPLE_ACCOUNT,
    policy: { file: 'policy.yaml', path: '/tmp/policy.yaml', sha256: SAMPLE_SHA, mode: 'enforce', regions: ['cn-hangzhou'], kinds: ['ecs-image'] },
    createdAt: opts.createdAt ?? NOW,
    ttl: { text: '24h', ms: opts.ttlMs ?? 86_400_000 },
    key: opts.key ?? null,
  });
}
