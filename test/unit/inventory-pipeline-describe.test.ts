/**
 * The re-check reads a pipeline again with describe(); it must read the executions exactly as the
 * listing does. An execution it cannot name, or that names no pipeline, could be the running one:
 * dropped, the pipeline would look idle right before it is deleted.
 */
import { describe, expect, it } from 'vitest';
import type { CloudApi } from '../../functions/cloud/api.js';
import { imagePipeline } from '../../functions/inventory/image-pipeline.js';
import { ListingError } from '../../functions/inventory/paging.js';
import { item } from '../support/builders.js';

const R = 'cn-hangzhou';
const PIPELINE = { ImagePipelineId: 'ip-1', Name: 'ci', CreationTime: '2025-01-01T00:00:00Z' };

/** A cloud that lists one pipeline and the given executions, one page each. */
function cloud(executions: Array<Record<string, unknown>>): CloudApi {
  return {
    async call(action) {
      if (action === 'ecs.DescribeImagePipelines') return { ImagePipeline: { ImagePipelineSet: [PIPELINE] }, NextToken: '' };
      return { ImagePipelineExecution: { ImagePipelineExecutionSet: executions }, NextToken: '' };
    },
  };
}

const listed = item({ kind: 'image-pipeline', region: R, id: 'ip-1', name: 'ci' });
const ctx = () => {
  const memo = new Map<string, Promise<unknown>>();
  return { kinds: new Set(['image-pipeline' as const]), once: <T>(k: string, fn: () => Promise<T>) => (memo.get(k) ?? memo.set(k, fn()).get(k)) as Promise<T> };
};

describe('image-pipeline describe()', () => {
  it('refuses, as list() does, an execution without an ID', async () => {
    const api = cloud([{ ImagePipelineId: 'ip-1', Status: 'BUILDING', CreationTime: '2025-06-01T00:00:00Z' }]);
    await expect(imagePipeline.list(api, R, ctx())).rejects.toBeInstanceOf(ListingError);
    await expect(imagePipeline.describe(api, listed)).rejects.toBeInstanceOf(ListingError);
  });

  it('refuses, as list() does, an execution that names no usable pipeline', async () => {
    const api = cloud([{ ExecutionId: 'exec-1', Status: 'BUILDING', CreationTime: '2025-06-01T00:00:00Z' }]);
    await expect(imagePipeline.list(api, R, ctx())).rejects.toBeInstanceOf(ListingError);
    await expect(imagePipeline.describe(api, listed)).rejects.toBeInstanceOf(ListingError);
  });

  it('reads a running execution as busy, and ignores one naming another pipeline', async () => {
    const running = await imagePipeline.describe(cloud([{ ExecutionId: 'exec-1', ImagePipelineId: 'ip-1', Status: 'BUILDING', CreationTime: '2025-06-01T00:00:00Z' }]), listed);
    expect(running?.atRest.value).toBe(false);
    const other = await imagePipeline.describe(cloud([{ ExecutionId: 'exec-2', ImagePipelineId: 'ip-9', Status: 'BUILDING', CreationTime: '2025-06-01T00:00:00Z' }]), listed);
    expect(other?.atRest.value).toBe(true);
  });
});
