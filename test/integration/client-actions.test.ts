/**
 * Every action in the table through the real openapi-client, over HTTP, against the emulator:
 * signed (V3 and V2, static and STS keys), routed, with parameters where the table says.
 */
import { describe, expect, it } from 'vitest';
import { ACTIONS, ACTION_NAMES, type ActionName } from '../../functions/cloud/actions.js';
import type { ApiParams } from '../../functions/cloud/api.js';
import { flattenParams } from '../../functions/cloud/request.js';
import { emulatorPerFile } from '../support/e2e.js';
import { R, recordRequests, rejectionOf, STS, testClient, testFleet, WUYING_REGION } from './client-harness.js';

/** One call per action, with parameters that exercise flattening where the API has lists. */
const CALLS: Record<ActionName, { region: string; params: ApiParams }> = {
  'ecs.DescribeImages': { region: R, params: { ImageOwnerAlias: 'self', PageSize: 10, Tag: [{ Key: 'team', Value: 'hpc' }] } },
  'ecs.DescribeImageSharePermission': { region: R, params: { ImageId: 'm-page000' } },
  'ecs.DeleteImage': { region: R, params: { ImageId: 'm-del', Force: false } },
  'ecs.TagResources': { region: R, params: { ResourceType: 'image', ResourceId: ['m-tag'], Tag: [{ Key: 'image-gc:marked-at', Value: '2026-02-01T00:00:00Z' }] } },
  'ecs.UntagResources': { region: R, params: { ResourceType: 'image', ResourceId: ['m-tag'], TagKey: ['image-gc:marked-at'] } },
  'ecs.DescribeImagePipelines': { region: R, params: { MaxResults: 50 } },
  'ecs.DescribeImagePipelineExecutions': { region: R, params: { ImagePipelineId: 'ip-keep' } },
  'ecs.DeleteImagePipeline': { region: R, params: { ImagePipelineId: 'ip-del' } },
  'ehpc.ListCustomImages': { region: R, params: { ImageOwnerAlias: 'self' } },
  'ehpcinstant.RemoveImage': { region: R, params: { ImageId: 'm-inst', ImageType: 'VM' } },
  'appstream.ListImage': { region: WUYING_REGION, params: { ImageType: 'User', PageSize: 100, Distro: 'Windows', TagList: [{ Key: 'team', Value: 'desk' }] } },
  'appstream.DeleteImage': { region: WUYING_REGION, params: { ImageId: 'imgc-0002' } },
  'sts.GetCallerIdentity': { region: R, params: {} },
  'ecs.DescribeLaunchTemplates': { region: R, params: { PageSize: 50, PageNumber: 1 } },
  'ecs.DescribeLaunchTemplateVersions': { region: R, params: { LaunchTemplateId: 'lt-test', DetailFlag: true, PageSize: 50 } },
  'ecs.DescribeDisks': { region: R, params: { SnapshotId: 's-free', MaxResults: 10 } },
  'ecs.DeleteSnapshot': { region: R, params: { SnapshotId: 's-free', Force: false } },
  'ess.DescribeScalingConfigurations': { region: R, params: { PageSize: 50 } },
  'ehpcinstant.ListExecutors': { region: R, params: { Filter: JSON.stringify({ Status: ['Running'] }), PageSize: 100 } },
};

const emu = emulatorPerFile(testFleet);

describe('every action in the table, V3 signature', () => {
  it.each(ACTION_NAMES)('%s', async (action) => {
    const spec = ACTIONS[action];
    const { region, params } = CALLS[action];
    const { client } = testClient(emu().url);
    const recorder = recordRequests();
    try {
      const body = await client.call(action, region, params);
      expect(typeof body['RequestId']).toBe('string');
    } finally {
      recorder.stop();
    }
    const [call] = emu().calls();
    expect(call).toMatchObject({ action: spec.action, version: spec.version, region, status: 200, signature: 'v3' });
    const flat = { RegionId: region, ...flattenParams(params) };
    expect(call?.params).toEqual(flat);

    expect(recorder.sent).toHaveLength(1);
    const sent = recorder.sent[0]!;
    expect(sent.method).toBe(spec.method);
    const queryParams = new Set(['RegionId', ...((spec as { queryParams?: readonly string[] }).queryParams ?? [])]);
    const expectedQuery =
      spec.placement === 'query' ? flat : Object.fromEntries(Object.entries(flat).filter(([k]) => queryParams.has(k.split('.')[0]!)));
    expect(sent.query).toEqual(expectedQuery);
    if (spec.placement === 'form') expect(sent.contentType).toBe('application/x-www-form-urlencoded');
    else expect(sent.contentType).toBeUndefined();
  });
});

describe('DescribeImages paging', () => {
  it('pages to the end', async () => {
    const { client } = testClient(emu().url);
    const ids: string[] = [];
    let total = Infinity;
    for (let page = 1; ids.length < total; page++) {
      const body = await client.call('ecs.DescribeImages', R, { ImageOwnerAlias: 'self', PageSize: 10, PageNumber: page });
      total = body['TotalCount'] as number;
      const images = (body['Images'] as { Image: Array<{ ImageId: string }> }).Image;
      if (images.length === 0) break;
      ids.push(...images.map((i) => i.ImageId));
    }
    expect(total).toBe(29);
    expect(new Set(ids).size).toBe(29);
    expect(emu().calls().map((c) => c.params['PageNumber'])).toEqual(['1', '2', '3']);
  });
});

describe('signatures and keys', () => {
  it('V2 (HMAC-SHA1) signs every method and placement', async () => {
    const { client } = testClient(emu().url, { signatureAlgorithm: 'v2' });
    for (const action of ['ecs.DescribeImages', 'ehpc.ListCustomImages', 'appstream.ListImage', 'ecs.DeleteImage'] as const) {
      await client.call(action, CALLS[action].region, CALLS[action].params);
    }
    expect(emu().calls().map((c) => [c.action, c.status, c.signature])).toEqual([
      ['DescribeImages', 200, 'v1'],
      ['ListCustomImages', 200, 'v1'],
      ['ListImage', 200, 'v1'],
      ['DeleteImage', 200, 'v1'],
    ]);
  });

  it.each(['v3', 'v2'] as const)('accepts STS credentials (%s)', async (signatureAlgorithm) => {
    const { client } = testClient(emu().url, { credentials: { kind: 'static', ...STS }, signatureAlgorithm });
    await client.call('ecs.DescribeImages', R, {});
    await client.call('appstream.DeleteImage', WUYING_REGION, { ImageId: 'imgc-0002' });
    expect(emu().calls().map((c) => c.status)).toEqual([200, 200]);
  });

  it.each(['v3', 'v2'] as const)('refuses a wrong secret as final, without retrying (%s)', async (signatureAlgorithm) => {
    const { client } = testClient(emu().url, { credentials: { kind: 'static', accessKeyId: 'testid', accessKeySecret: 'wrong-secret' }, signatureAlgorithm });
    const e = await rejectionOf(client.call('ecs.DescribeImages', R, {}));
    expect(e).toMatchObject({ name: 'CloudError', code: 'SignatureDoesNotMatch', errorClass: 'final', attempts: 1, httpStatus: 400 });
    expect(e.message).not.toContain('wrong-secret');
    expect(emu().calls()).toHaveLength(1);
  });

  it('refuses a wrong STS token as final', async () => {
    const { client } = testClient(emu().url, { credentials: { kind: 'static', ...STS, securityToken: 'not-the-token' } });
    const e = await rejectionOf(client.call('ecs.DescribeImages', R, {}));
    expect(e).toMatchObject({ errorClass: 'final', attempts: 1 });
    expect(e.message).not.toContain('not-the-token');
  });

  it('uses the default credential chain (env keys)', async () => {
    const saved = { ...process.env };
    try {
      process.env['ALIBABA_CLOUD_ACCESS_KEY_ID'] = 'testid';
      process.env['ALIBABA_CLOUD_ACCESS_KEY_SECRET'] = 'testsecret';
      process.env['ALIBABA_CLOUD_ECS_METADATA_DISABLED'] = 'true';
      const { client } = testClient(emu().url, { credentials: { kind: 'chain' } });
      await client.call('ecs.DescribeImages', R, {});
      expect(emu().calls()[0]?.status).toBe(200);
    } finally {
      process.env = saved;
    }
  });
});

describe('dry-run', () => {
  it('sends no mutating call, and the read-only ones as usual', async () => {
    const { client, events } = testClient(emu().url, { dryRun: true });
    for (const action of ACTION_NAMES) {
      const { region, params } = CALLS[action];
      if (ACTIONS[action].mutating) {
        expect(await rejectionOf(client.call(action, region, params))).toMatchObject({ code: 'DryRunViolation', errorClass: 'final', attempts: 0 });
      } else {
        await client.call(action, region, params);
      }
    }
    const sent = emu().calls().map((c) => c.action);
    expect(sent).toEqual(ACTION_NAMES.filter((a) => !ACTIONS[a].mutating).map((a) => ACTIONS[a].action));
    expect(events.filter((e) => e.type === 'refused')).toHaveLength(ACTION_NAMES.filter((a) => ACTIONS[a].mutating).length);
    expect(emu().state().regions[R]?.images?.some((i) => i.ImageId === 'm-del')).toBe(true);
  });

  it('refuses appstream outside its regions without sending', async () => {
    const { client } = testClient(emu().url);
    expect(await rejectionOf(client.call('appstream.ListImage', R, {}))).toMatchObject({ code: 'UnsupportedRegion', attempts: 0 });
    expect(emu().calls()).toHaveLength(0);
  });
});
