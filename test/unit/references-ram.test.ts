/**
 * The calls the in-use lookups and the snapshot cascade make are in the action table (how the
 * client sends them, whether dry-run refuses them) and granted by the RAM permission policy with
 * the narrowest resource each service documents. (ram-policy.test.ts checks the whole table.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIONS } from '../../functions/cloud/actions.js';
import { resolveEndpoint } from '../../functions/cloud/endpoints.js';

const POLICY = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'policies', 'ram', 'permission-policy.json'), 'utf8')) as {
  Statement: Array<{ Effect: string; Action: string[]; Resource: string[] }>;
};

const NEW = [
  ['ecs.DescribeLaunchTemplates', 'ecs:DescribeLaunchTemplates', 'acs:ecs:*:*:launchtemplate/*', false],
  ['ecs.DescribeLaunchTemplateVersions', 'ecs:DescribeLaunchTemplateVersions', 'acs:ecs:*:*:launchtemplate/*', false],
  ['ecs.DescribeDisks', 'ecs:DescribeDisks', 'acs:ecs:*:*:disk/*', false],
  ['ecs.DeleteSnapshot', 'ecs:DeleteSnapshot', 'acs:ecs:*:*:snapshot/*', true],
  ['ess.DescribeScalingConfigurations', 'ess:DescribeScalingConfigurations', 'acs:ess:*:*:scalinggroup/*', false],
  ['ehpcinstant.ListExecutors', 'ehpc:ListExecutors', '*', false],
] as const;

describe('the lookups and the cascade are in the action table and the RAM policy', () => {
  it.each(NEW)('%s → %s on %s', (name, ram, resource, mutating) => {
    const spec = ACTIONS[name];
    expect(spec).toMatchObject({ ram, ramResources: [resource], mutating, method: 'POST', placement: 'query' });
    const granting = POLICY.Statement.filter((s) => s.Effect === 'Allow' && s.Action.includes(ram));
    expect(granting).toHaveLength(1);
    expect(granting[0]!.Resource).toEqual([resource]);
  });

  it('ESS is its own product, version 2014-08-28, on ess.<region>.aliyuncs.com', () => {
    expect(ACTIONS['ess.DescribeScalingConfigurations']).toMatchObject({ product: 'ess', version: '2014-08-28', action: 'DescribeScalingConfigurations' });
    expect(resolveEndpoint('ess', 'cn-hangzhou')).toEqual({ host: 'ess.cn-hangzhou.aliyuncs.com', protocol: 'https' });
    expect(resolveEndpoint('ess', 'cn-hangzhou', { network: 'vpc' })?.host).toBe('ess-vpc.cn-hangzhou.aliyuncs.com');
  });

  it('DescribeImages (with SnapshotId=) needs nothing new: its grant already covers images', () => {
    expect(ACTIONS['ecs.DescribeImages'].ram).toBe('ecs:DescribeImages');
  });
});
