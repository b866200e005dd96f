/**
 * Merging the in-use references into an image's facts, pure: known use wins and names every
 * source; a failed lookup makes use unknown (fail closed) and names the lookup; otherwise the
 * API's Usage stands, saying what else was looked at. Family resolution, pipeline base types and
 * the E-HPC Instant region rule.
 */
import { describe, expect, it } from 'vitest';
import type { ApiBody, CloudApi } from '../../functions/cloud/api.js';
import { CloudError } from '../../functions/cloud/errors.js';
import { EHPC_INSTANT_REGIONS, executorReferences } from '../../functions/inventory/ehpc-executors.js';
import { gatherReferences, mergeInUse, newestOfFamily, withReferences, type RegionReferences } from '../../functions/inventory/references.js';
import type { ListContext } from '../../functions/inventory/resource.js';
import { protectionCheck } from '../../functions/plan/protections.js';
import { fact, item, policy } from '../support/builders.js';

const refs = (over: Partial<RegionReferences> = {}): RegionReferences => ({ region: 'cn-hangzhou', images: new Map(), snapshots: new Map(), failures: [], notes: [], ...over });
const failure = { region: 'cn-hangzhou', lookup: 'scaling configurations', action: 'DescribeScalingConfigurations', code: 'Forbidden.RAM', message: 'denied' };

describe('mergeInUse', () => {
  it('a reference makes it in use, naming every source (the first three, then a count)', () => {
    const r = refs({ images: new Map([['m-1', ['launch template lt-1 version 2', 'image pipeline ip-1 base image', 'a', 'b', 'c']]]) });
    const merged = mergeInUse({ id: 'm-1', inUse: fact(false, 'Usage=none') }, r);
    expect(merged).toEqual({ value: true, evidence: 'named by launch template lt-1 version 2; image pipeline ip-1 base image; a; and 2 more' });
  });

  it('keeps the API evidence when instances use it too', () => {
    const r = refs({ images: new Map([['m-1', ['scaling configuration asc-1']]]) });
    expect(mergeInUse({ id: 'm-1', inUse: fact(true, 'Usage=instance') }, r)).toEqual({ value: true, evidence: 'Usage=instance; named by scaling configuration asc-1' });
  });

  it('a failed lookup makes use unknown, naming the lookup; known use stays known', () => {
    const r = refs({ failures: [failure] });
    expect(mergeInUse({ id: 'm-1', inUse: fact(false, 'Usage=none') }, r)).toEqual({
      value: null,
      evidence: 'scaling configurations lookup failed (DescribeScalingConfigurations: Forbidden.RAM): cannot tell whether something else uses it',
    });
    expect(mergeInUse({ id: 'm-1', inUse: fact(true, 'Usage=instance') }, r).value).toBe(true);
  });

  it('unreferenced: Usage stands, and the evidence says what else was looked at', () => {
    expect(mergeInUse({ id: 'm-1', inUse: fact(false, 'Usage=none') }, refs())).toEqual({
      value: false,
      evidence: 'Usage=none; no launch template, image pipeline, scaling configuration or E-HPC Instant job names it',
    });
    expect(mergeInUse({ id: 'm-1', inUse: fact(null, 'Usage missing') }, refs())).toEqual({ value: null, evidence: 'Usage missing' });
  });

  it('withReferences also marks the snapshots launch templates or scaling configurations name', () => {
    const image = item({ name: 'a', snapshots: [{ id: 's-1', sizeGiB: 40 }, { id: 's-2', sizeGiB: 10 }] });
    const merged = withReferences(image, refs({ snapshots: new Map([['s-2', ['launch template lt-1 version 1 data disk']]]) }));
    expect(merged.snapshots).toEqual([{ id: 's-1', sizeGiB: 40 }, { id: 's-2', sizeGiB: 10, referencedBy: ['launch template lt-1 version 1 data disk'] }]);
    // Other kinds are left alone.
    const pipeline = item({ kind: 'image-pipeline', id: 'ip-1' });
    expect(withReferences(pipeline, refs({ failures: [failure] }))).toBe(pipeline);
  });

  it('the protection reads "in use", and "in use by instances" only when instances alone are the evidence', () => {
    const check = protectionCheck(policy());
    const created = { readMs: 0, trustedMs: 0, problem: null } as const;
    expect(check(item({ inUse: fact(true, 'Usage=instance (instances were created from it)') }), created)[0]?.text).toBe('Usage=instance (instances were created from it) (in use by instances)');
    expect(check(item({ inUse: fact(true, 'named by launch template lt-1 version 3') }), created)[0]?.text).toBe('named by launch template lt-1 version 3 (in use)');
  });
});

describe('newestOfFamily', () => {
  const raw = (id: string, family: string, t: string, status = 'Available') => ({ ImageId: id, ImageFamily: family, CreationTime: t, Status: status });
  it('is the newest Available image of the family, ties by the larger ID', () => {
    const images = [
      raw('m-1', 'web', '2026-01-01T00:00:00Z'),
      raw('m-2', 'web', '2026-03-01T00:00:00Z', 'CreateFailed'),
      raw('m-3', 'web', '2026-02-01T00:00:00Z'),
      raw('m-4', 'web', '2026-02-01T00:00:00Z'),
      raw('m-5', 'db', '2026-05-01T00:00:00Z'),
    ];
    expect(newestOfFamily(images, 'web')).toBe('m-4');
    expect(newestOfFamily(images, 'ci')).toBeNull();
  });
});

/** A CloudApi answering from a table; an Error value is thrown as that CloudError. */
function tableApi(answers: Partial<Record<string, ApiBody | CloudError>>): CloudApi & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async call(action) {
      asked.push(action);
      const a = answers[action];
      if (a instanceof CloudError) throw a;
      if (a === undefined) throw new Error(`unexpected ${action}`);
      return a;
    },
  };
}
const ctx: ListContext = { kinds: new Set(['ecs-image']), once: (_k, fn) => fn() };
const empty = {
  'ecs.DescribeLaunchTemplates': { TotalCount: 0, LaunchTemplateSets: { LaunchTemplateSet: [] } },
  'ess.DescribeScalingConfigurations': { TotalCount: 0, ScalingConfigurations: { ScalingConfiguration: [] } },
  'ehpcinstant.ListExecutors': { TotalCount: '0', Executors: [] },
};

describe('gatherReferences', () => {
  it('pipelines: IMAGE names an image, IMAGE_FAMILY a family, anything else both (to be safe)', async () => {
    const api = tableApi({
      ...empty,
      'ecs.DescribeImagePipelines': {
        NextToken: '',
        ImagePipeline: {
          ImagePipelineSet: [
            { ImagePipelineId: 'ip-1', Name: 'one', BaseImageType: 'IMAGE', BaseImage: 'm-1' },
            { ImagePipelineId: 'ip-2', BaseImageType: 'IMAGE_FAMILY', BaseImage: 'web' },
            { ImagePipelineId: 'ip-3', BaseImage: 'm-3' },
            { ImagePipelineId: 'ip-4', BaseImageType: 'IMAGE' },
          ],
        },
      },
      'ecs.DescribeImages': { TotalCount: 1, Images: { Image: [{ ImageId: 'm-web', ImageFamily: 'web', Status: 'Available', CreationTime: '2026-01-01T00:00:00Z' }] } },
    });
    const r = await gatherReferences(api, 'cn-hangzhou', ctx);
    expect(r.failures).toEqual([]);
    expect(Object.fromEntries(r.images)).toEqual({
      'm-1': ['image pipeline ip-1 (one) base image'],
      'm-3': ['image pipeline ip-3 base image (BaseImageType missing)'],
      'm-web': ['image pipeline ip-2 base image family web (its newest Available image)'],
    });
    expect(r.notes).toContain('image pipeline ip-3 base image family (BaseImageType missing) m-3 has no Available image in cn-hangzhou');
  });

  it('records each failed lookup and still runs the others', async () => {
    const err = (action: 'ess.DescribeScalingConfigurations' | 'ehpcinstant.ListExecutors', code: string) =>
      new CloudError({ action, region: 'cn-hangzhou', code, httpStatus: 403, requestId: null, message: code, errorClass: 'final', attempts: 1, retryAfterMs: null });
    const api = tableApi({
      ...empty,
      'ecs.DescribeImagePipelines': { NextToken: '', ImagePipeline: { ImagePipelineSet: [] } },
      'ess.DescribeScalingConfigurations': err('ess.DescribeScalingConfigurations', 'Forbidden.RAM'),
      'ehpcinstant.ListExecutors': err('ehpcinstant.ListExecutors', 'NotEnabled'),
    });
    const r = await gatherReferences(api, 'cn-hangzhou', ctx);
    expect(r.failures).toEqual([{ region: 'cn-hangzhou', lookup: 'scaling configurations', action: 'DescribeScalingConfigurations', code: 'Forbidden.RAM', message: 'Forbidden.RAM' }]);
    // NotEnabled: the account has no E-HPC Instant, so no jobs; a note, not a failure.
    expect(r.notes).toContain('E-HPC Instant jobs not looked up: E-HPC Instant is not enabled in this account (NotEnabled)');
  });
});

describe('executorReferences', () => {
  it('asks only where E-HPC Instant has an endpoint, for unfinished executors only', async () => {
    expect(EHPC_INSTANT_REGIONS.size).toBe(15);
    const api = tableApi({ 'ehpcinstant.ListExecutors': { TotalCount: '2', Executors: [{ ExecutorId: 'j-t-0', Image: 'm-1', Status: 'Running' }, { ExecutorId: 'j-t-1', Image: 'm-2', Status: 'Succeeded' }] } });
    expect(await executorReferences(api, 'us-east-1')).toEqual({ images: [], warnings: [], skipped: 'E-HPC Instant has no endpoint in us-east-1' });
    expect(api.asked).toEqual([]);
    const r = await executorReferences(api, 'cn-hangzhou');
    expect(r.images).toEqual([{ by: 'E-HPC Instant executor j-t-0 (Running)', target: 'm-1' }]);
  });

  it('an unfinished executor without an Image fails the lookup (it could be on any image)', async () => {
    const api = tableApi({ 'ehpcinstant.ListExecutors': { TotalCount: '1', Executors: [{ ExecutorId: 'j-t-0', Status: 'Running' }] } });
    await expect(executorReferences(api, 'cn-hangzhou')).rejects.toThrow(/without an Image/);
  });
});
