/**
 * A client nobody here wrote: the official @alicloud/ecs20140526 SDK (on @alicloud/openapi-core)
 * against the emulator. Its typed response models only fill in when the emulator's field names and
 * shapes are the real ones, so every assertion on a camelCase field is a check of the answer format.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type Fleet, type FleetImage } from '../emulator/index.js';

// Loaded with require, untyped: the SDK's .d.ts files pull in @darabonba/typescript, whose types need
// @types/ws (not installed), which would fail the project's `tsc` (skipLibCheck is off). The runtime
// objects are the real ones; `SdkModule` below declares just the surface this test touches.
// (Under require the client class is the CJS `default` export; request models are named exports.)
type Model = new (fields: Record<string, unknown>) => object;
// The typed response models, reached with camelCase names: any, since their types are not loaded.
type SdkBody = any;
type SdkCall = (request: object) => Promise<{ statusCode: number; body: SdkBody }>;
interface EcsClient {
  describeImages: SdkCall;
  deleteImage: SdkCall;
  describeImageSharePermission: SdkCall;
  describeImagePipelines: SdkCall;
  describeImagePipelineExecutions: SdkCall;
  deleteImagePipeline: SdkCall;
  tagResources: SdkCall;
  untagResources: SdkCall;
}
interface SdkModule {
  default: new (config: object) => EcsClient;
  [model: string]: Model | (new (config: object) => EcsClient);
}
const require = createRequire(import.meta.url);
const sdk = require('@alicloud/ecs20140526') as SdkModule;
const Ecs = sdk.default;
type ModelName =
  | 'DescribeImagesRequest' | 'DescribeImagesRequestTag' | 'DeleteImageRequest' | 'DescribeImageSharePermissionRequest'
  | 'DescribeImagePipelinesRequest' | 'DescribeImagePipelineExecutionsRequest' | 'DeleteImagePipelineRequest'
  | 'TagResourcesRequest' | 'TagResourcesRequestTag' | 'UntagResourcesRequest';
const $Ecs = sdk as unknown as Record<ModelName, Model>;
const { $OpenApiUtil } = require('@alicloud/openapi-core') as { $OpenApiUtil: { Config: Model } };

const R = 'cn-hangzhou';

function images(): FleetImage[] {
  const list: FleetImage[] = Array.from({ length: 23 }, (_, i) => ({
    ImageId: `m-sdk${String(i).padStart(3, '0')}`,
    ImageName: `hpc-build-${i}`,
    CreationTime: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().replace('.000', ''),
    Size: 40,
    ImageFamily: 'hpc',
    Tags: { team: 'hpc', build: String(i) },
  }));
  list.push({ ImageId: 'm-failed1', CreationTime: '2025-12-01T00:00:00Z', Status: 'CreateFailed' });
  list.push({ ImageId: 'm-failed2', CreationTime: '2025-12-02T00:00:00Z', Status: 'CreateFailed' });
  list.push({ ImageId: 'm-used', CreationTime: '2025-11-01T00:00:00Z', Status: 'CreateFailed', usedByInstances: 2 });
  list.push({ ImageId: 'm-shared', CreationTime: '2025-11-02T00:00:00Z', Status: 'CreateFailed', sharedWith: ['1111222233334444'] });
  return list;
}

const fleet = (): Fleet => ({
  regions: {
    [R]: {
      images: images(),
      pipelines: [
        { ImagePipelineId: 'ip-a', Name: 'alpha', CreationTime: '2026-01-03T00:00:00Z', Tags: { owner: 'ci' },
          executions: [{ ExecutionId: 'exec-a1', Status: 'SUCCESS', CreationTime: '2026-01-04T00:00:00Z', ImageId: 'm-sdk001' }] },
        { ImagePipelineId: 'ip-b', Name: 'beta', CreationTime: '2026-01-02T00:00:00Z',
          executions: [
            { ExecutionId: 'exec-b1', Status: 'FAILED', CreationTime: '2026-01-05T00:00:00Z' },
            { ExecutionId: 'exec-b2', Status: 'CANCELLED', CreationTime: '2026-01-06T00:00:00Z' },
          ] },
        { ImagePipelineId: 'ip-c', Name: 'gamma', CreationTime: '2026-01-01T00:00:00Z' },
      ],
    },
  },
});

let emu: Emulator;
let ecs: EcsClient;

beforeAll(async () => {
  emu = await startEmulator({ fleet: fleet() });
  ecs = new Ecs(new $OpenApiUtil.Config({ accessKeyId: 'testid', accessKeySecret: 'testsecret', endpoint: emu.endpoint, protocol: 'http', regionId: R }));
});

afterAll(async () => {
  await emu.close();
});

interface SdkError {
  code: string;
  statusCode: number;
  data?: Record<string, unknown>;
}

async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the SDK call to fail');
}

describe('official ECS SDK against the emulator', () => {
  it('DescribeImages pages to the end (default Status = Available only)', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    for (let page = 1; ; page++) {
      const resp = await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: R, imageOwnerAlias: 'self', pageNumber: page, pageSize: 10 }));
      const body = resp.body!;
      expect(resp.statusCode).toBe(200);
      expect(body.totalCount).toBe(23);
      expect(body.pageNumber).toBe(page);
      expect(body.pageSize).toBe(10);
      expect(body.regionId).toBe(R);
      const list = body.images?.image ?? [];
      sizes.push(list.length);
      seen.push(...list.map((i: SdkBody) => i.imageId!));
      if (list.length < 10) break;
    }
    expect(sizes).toEqual([10, 10, 3]);
    expect(new Set(seen).size).toBe(23);
    expect(seen[0]).toBe('m-sdk022'); // newest first
  });

  it('the typed image model is filled in', async () => {
    const resp = await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: R, imageId: 'm-sdk005' }));
    const img = resp.body!.images!.image![0]!;
    expect(img.imageId).toBe('m-sdk005');
    expect(img.imageName).toBe('hpc-build-5');
    expect(img.creationTime).toBe('2026-01-06T00:00:00Z');
    expect(img.status).toBe('Available');
    expect(img.size).toBe(40);
    expect(img.imageFamily).toBe('hpc');
    expect(img.imageOwnerAlias).toBe('self');
    expect(img.imageOwnerId).toBe(1234567890123456);
    expect(img.usage).toBe('none');
    expect(img.isSelfShared).toBe('false');
    expect(img.isPublic).toBe(false);
    expect(img.progress).toBe('100%');
    expect(img.tags!.tag!.map((t: SdkBody) => [t.tagKey, t.tagValue])).toEqual([['team', 'hpc'], ['build', '5']]);
    const disk = img.diskDeviceMappings!.diskDeviceMapping![0]!;
    expect(disk.snapshotId).toBe('s-sdk005');
    expect(disk.size).toBe('40');
    expect(disk.type).toBe('system');
  });

  it('DescribeImages with explicit statuses sees the failed images', async () => {
    const resp = await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: R, status: 'Available,CreateFailed', pageSize: 100 }));
    expect(resp.body!.totalCount).toBe(27);
  });

  it('DeleteImage deletes; the refusal comes back as an SDK error with code and status', async () => {
    const ok = await ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: R, imageId: 'm-failed1' }));
    expect(ok.statusCode).toBe(200);
    expect(ok.body!.requestId).toMatch(/^[0-9A-F-]{36}$/);
    const after = await ecs.describeImages(new $Ecs.DescribeImagesRequest({ regionId: R, imageId: 'm-failed1', status: 'ALL' }));
    expect(after.body!.totalCount).toBe(0);

    const refused = await sdkError(ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: R, imageId: 'm-used' })));
    expect(refused.code).toBe('ImageUsingByInstance');
    expect(refused.statusCode).toBe(403);
    expect(refused.data?.Recommend).toBe('https://api.aliyun.com/troubleshoot?q=ImageUsingByInstance&product=Ecs');
    const forced = await ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: R, imageId: 'm-used', force: true }));
    expect(forced.statusCode).toBe(200);

    const missing = await sdkError(ecs.deleteImage(new $Ecs.DeleteImageRequest({ regionId: R, imageId: 'm-failed1' })));
    expect([missing.code, missing.statusCode]).toEqual(['InvalidImageId.NotFound', 404]);
  });

  it('DescribeImageSharePermission', async () => {
    const resp = await ecs.describeImageSharePermission(new $Ecs.DescribeImageSharePermissionRequest({ regionId: R, imageId: 'm-shared' }));
    expect(resp.body!.imageId).toBe('m-shared');
    expect(resp.body!.totalCount).toBe(1);
    expect(resp.body!.accounts!.account![0]!.aliyunId).toBe('1111222233334444');
    expect(resp.body!.shareGroups!.shareGroup).toEqual([]);
  });

  it('DescribeImagePipelines pages with MaxResults / NextToken', async () => {
    const ids: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const resp = await ecs.describeImagePipelines(new $Ecs.DescribeImagePipelinesRequest({ regionId: R, maxResults: 2, nextToken }));
      expect(resp.body!.totalCount).toBe(3);
      expect(resp.body!.maxResults).toBe(2);
      ids.push(...resp.body!.imagePipeline!.imagePipelineSet!.map((p: SdkBody) => p.imagePipelineId!));
      nextToken = resp.body!.nextToken || undefined;
      pages += 1;
    } while (nextToken);
    expect(pages).toBe(2);
    expect(ids).toEqual(['ip-a', 'ip-b', 'ip-c']);

    const one = await ecs.describeImagePipelines(new $Ecs.DescribeImagePipelinesRequest({ regionId: R, imagePipelineId: ['ip-a'] }));
    const p = one.body!.imagePipeline!.imagePipelineSet![0]!;
    expect([p.imagePipelineId, p.name, p.creationTime, p.baseImageType]).toEqual(['ip-a', 'alpha', '2026-01-03T00:00:00Z', 'IMAGE']);
    expect(p.tags!.tag![0]!.tagKey).toBe('owner');
    expect(p.tags!.tag![0]!.tagValue).toBe('ci');
  });

  it('DescribeImagePipelineExecutions, one pipeline or the whole region', async () => {
    const one = await ecs.describeImagePipelineExecutions(new $Ecs.DescribeImagePipelineExecutionsRequest({ regionId: R, imagePipelineId: 'ip-a' }));
    const e = one.body!.imagePipelineExecution!.imagePipelineExecutionSet![0]!;
    expect([e.executionId, e.imagePipelineId, e.imageId, e.status, e.creationTime, e.modifiedTime]).toEqual([
      'exec-a1', 'ip-a', 'm-sdk001', 'SUCCESS', '2026-01-04T00:00:00Z', '2026-01-04T00:00:00Z',
    ]);
    const all = await ecs.describeImagePipelineExecutions(new $Ecs.DescribeImagePipelineExecutionsRequest({ regionId: R }));
    expect(all.body!.totalCount).toBe(3);
    expect(all.body!.imagePipelineExecution!.imagePipelineExecutionSet!.map((x: SdkBody) => x.executionId)).toEqual(['exec-b2', 'exec-b1', 'exec-a1']);
  });

  it('DeleteImagePipeline deletes the pipeline and its executions', async () => {
    const resp = await ecs.deleteImagePipeline(new $Ecs.DeleteImagePipelineRequest({ regionId: R, imagePipelineId: 'ip-b' }));
    expect(resp.statusCode).toBe(200);
    const left = await ecs.describeImagePipelineExecutions(new $Ecs.DescribeImagePipelineExecutionsRequest({ regionId: R }));
    expect(left.body!.totalCount).toBe(1);
    const again = await sdkError(ecs.deleteImagePipeline(new $Ecs.DeleteImagePipelineRequest({ regionId: R, imagePipelineId: 'ip-b' })));
    expect([again.code, again.statusCode]).toEqual(['InvalidImagePipeline.NotFound', 404]);
  });

  it('TagResources / UntagResources change the tags DescribeImages shows', async () => {
    await ecs.tagResources(new $Ecs.TagResourcesRequest({
      regionId: R, resourceType: 'image', resourceId: ['m-sdk001', 'm-sdk002'],
      tag: [new $Ecs.TagResourcesRequestTag({ key: 'gc', value: 'keep' })],
    }));
    const tagged = await ecs.describeImages(new $Ecs.DescribeImagesRequest({
      regionId: R, tag: [new $Ecs.DescribeImagesRequestTag({ key: 'gc', value: 'keep' })],
    }));
    expect(tagged.body!.images!.image!.map((i: SdkBody) => i.imageId).sort()).toEqual(['m-sdk001', 'm-sdk002']);
    expect(tagged.body!.images!.image![0]!.tags!.tag!.find((t: SdkBody) => t.tagKey === 'gc')?.tagValue).toBe('keep');

    await ecs.untagResources(new $Ecs.UntagResourcesRequest({ regionId: R, resourceType: 'image', resourceId: ['m-sdk001'], tagKey: ['gc'] }));
    const state = emu.state().regions[R]!.images!;
    expect(state.find((i: SdkBody) => i.ImageId === 'm-sdk001')!.Tags).toEqual({ team: 'hpc', build: '1' });
    expect(state.find((i: SdkBody) => i.ImageId === 'm-sdk002')!.Tags!.gc).toBe('keep');

    const wrongType = await sdkError(ecs.tagResources(new $Ecs.TagResourcesRequest({
      regionId: R, resourceType: 'instance', resourceId: ['i-1'], tag: [new $Ecs.TagResourcesRequestTag({ key: 'a', value: 'b' })],
    })));
    expect([wrongType.code, wrongType.statusCode]).toEqual(['InvalidResourceType.NotSupported', 400]);
  });

  it('every SDK call reached the emulator signed with V3', () => {
    const calls = emu.calls();
    expect(calls.length).toBeGreaterThan(10);
    expect(calls.every((c) => c.signature === 'v3' && c.version === '2014-05-26' && c.region === R)).toBe(true);
  });
});
