/**
 * image-pipeline: ECS image pipelines (templates). A pipeline has no status of its own: whether it
 * is busy and when it was last active come from its executions, listed for the whole region in
 * one paged listing rather than one call per pipeline.
 */
import { ecsTags, fact, id, isoTime, path, pick, records, shown, text, type Raw } from './fields.js';
import type { CloudApi } from '../cloud/api.js';
import { ListingError, listByToken, type Listed } from './paging.js';
import { deleted, deletionStep, type ListContext, type ResourceModule } from './resource.js';
import type { Fact, InventoryItem, PipelineExecution } from './types.js';

/**
 * Every pipeline of the region (DescribeImagePipelines), once per run: the image kinds' in-use
 * references read the same listing for pipeline base images (references.ts).
 */
export function listPipelinesOnce(api: CloudApi, region: string, ctx: ListContext): Promise<Listed> {
  return ctx.once(`ecs.DescribeImagePipelines:${region}`, () => listPipelines(api, region, { RegionId: region }));
}

/** DescribeImagePipelines to the end, for the whole region or filtered by `params`. */
function listPipelines(api: CloudApi, region: string, params: Record<string, unknown>): Promise<Listed> {
  return listByToken(api, {
    action: 'ecs.DescribeImagePipelines',
    region,
    params,
    maxResults: MAX_RESULTS,
    items: (body) => records(path(body, 'ImagePipeline', 'ImagePipelineSet')),
    id: (item) => text(item, 'ImagePipelineId'),
  });
}

/**
 * DescribeImagePipelineExecutions to the end, by pipeline. An execution without a usable ID, or
 * naming no usable pipeline, refuses the listing: dropped, it could make a busy or recently
 * active pipeline look idle.
 */
async function listExecutions(api: CloudApi, region: string, params: Record<string, unknown>): Promise<{ byPipeline: Map<string, Raw[]>; warnings: string[] }> {
  const listed = await listByToken(api, {
    action: 'ecs.DescribeImagePipelineExecutions',
    region,
    params,
    maxResults: MAX_RESULTS,
    items: (body) => records(path(body, 'ImagePipelineExecution', 'ImagePipelineExecutionSet')),
    id: (item) => id(item, 'ExecutionId'),
    missingId: 'fail',
  });
  const byPipeline = new Map<string, Raw[]>();
  for (const e of listed.items) {
    const pid = id(e, 'ImagePipelineId');
    if (pid === null) throw new ListingError('MalformedResponse', `execution ${id(e, 'ExecutionId') ?? '?'} names no usable ImagePipelineId`);
    const list = byPipeline.get(pid);
    if (list === undefined) byPipeline.set(pid, [e]);
    else list.push(e);
  }
  return { byPipeline, warnings: listed.warnings };
}

/** DeleteImagePipeline is allowed once every execution is in one of these (seed 002). */
export const TERMINAL_EXECUTION_STATUSES = new Set(['SUCCESS', 'FAILED', 'TEST_FAILED', 'PARTITION_SUCCESS', 'CANCELLED']);
const RUNNING_EXECUTION_STATUSES = new Set(['PREPARING', 'REPAIRING', 'BUILDING', 'TESTING', 'DISTRIBUTING', 'RELEASING', 'CANCELLING']);
const MAX_RESULTS = 500;

function toExecution(raw: Raw): PipelineExecution {
  return {
    id: text(raw, 'ExecutionId') ?? '',
    status: text(raw, 'Status'),
    createdAt: isoTime(raw['CreationTime']),
    modifiedAt: isoTime(raw['ModifiedTime']),
  };
}

function idleFact(executions: readonly PipelineExecution[], raws: readonly Raw[]): Fact {
  for (const [i, e] of executions.entries()) {
    // An execution that cannot be placed in time could be the recent one that keeps the pipeline active.
    if (e.createdAt === null && e.modifiedAt === null) return fact(null, `execution ${e.id} has no readable CreationTime or ModifiedTime: when the pipeline last ran is unknown`);
    if (e.status === null) return fact(null, `execution ${e.id} has Status ${shown(raws[i]?.['Status'])}`);
    if (RUNNING_EXECUTION_STATUSES.has(e.status)) return fact(false, `execution ${e.id} is ${e.status}`);
    if (!TERMINAL_EXECUTION_STATUSES.has(e.status)) return fact(null, `execution ${e.id} has undocumented Status=${e.status}`);
  }
  return fact(true, executions.length === 0 ? 'no executions' : `all ${executions.length} executions finished`);
}

function tagsOf(raw: Raw, warnings: string[]): { tags: Record<string, string>; tagsProblem: string | null } {
  const { tags, problem } = ecsTags(raw);
  if (problem !== null) warnings.push(problem);
  return { tags, tagsProblem: problem };
}

function newest(times: ReadonlyArray<string | null>): string | null {
  let best: string | null = null;
  for (const t of times) if (t !== null && (best === null || t > best)) best = t;
  return best;
}

function toItem(region: string, raw: Raw, execRaws: readonly Raw[]): InventoryItem {
  const executions = execRaws.map(toExecution);
  const order = executions.map((e, i) => ({ e, raw: execRaws[i] as Raw, t: newest([e.createdAt, e.modifiedAt]) ?? '' }));
  order.sort((a, b) => (a.t < b.t ? 1 : a.t > b.t ? -1 : a.e.id.localeCompare(b.e.id)));
  const createdAt = isoTime(raw['CreationTime']);
  const warnings: string[] = [];
  if (createdAt === null) warnings.push(`CreationTime ${shown(raw['CreationTime'])} is not an ISO time with a zone`);
  for (const e of executions) if (e.createdAt === null) warnings.push(`execution ${e.id} has no usable CreationTime`);
  const notApplicable = (what: string) => fact(false, `${what} does not apply to image pipelines`);
  return {
    kind: 'image-pipeline',
    region,
    id: text(raw, 'ImagePipelineId') ?? '',
    name: text(raw, 'Name') ?? '',
    createdAt,
    createdAtRaw: typeof raw['CreationTime'] === 'string' ? raw['CreationTime'] : null,
    status: null,
    ...tagsOf(raw, warnings),
    family: null,
    osTag: null,
    productType: null,
    sizeGiB: null,
    // DescribeImagePipelines lists only the account's own pipelines.
    owned: fact(true, 'listed by DescribeImagePipelines in this account'),
    inUse: notApplicable('use by instances'),
    shared: notApplicable('sharing'),
    isPublic: notApplicable('publishing'),
    atRest: idleFact(order.map((o) => o.e), order.map((o) => o.raw)),
    lastActivityAt: newest([createdAt, ...executions.flatMap((e) => [e.createdAt, e.modifiedAt])]),
    executions: order.map((o) => o.e),
    warnings,
    raw: { ...pick(raw, ['ImagePipelineId', 'Name', 'CreationTime', 'BaseImageType', 'BaseImage']), executions: executions.length },
  };
}

export const imagePipeline: ResourceModule = {
  kind: 'image-pipeline',
  regions: (policyRegions) => [...policyRegions],

  async list(api, region, ctx) {
    const [pipelines, executions] = await Promise.all([listPipelinesOnce(api, region, ctx), listExecutions(api, region, { RegionId: region })]);
    const items = pipelines.items.map((raw) => toItem(region, raw, executions.byPipeline.get(text(raw, 'ImagePipelineId') ?? '') ?? []));
    return { items, warnings: [...pipelines.warnings, ...executions.warnings] };
  },

  async remove(api, item) {
    const steps: string[] = [];
    const failed = await deletionStep(
      steps,
      'DeleteImagePipeline',
      { gone: new Set(['InvalidImagePipeline.NotFound']), refused: new Set(['InvalidImagePipeline.HasRunningExecution']) },
      () => api.call('ecs.DeleteImagePipeline', item.region, { RegionId: item.region, ImagePipelineId: item.id }),
    );
    return failed ?? deleted(steps);
  },

  /** DescribeImagePipelines ImagePipelineId.1=<id>, and that pipeline's executions, read as list() reads them. */
  async describe(api, item) {
    const [pipelines, executions] = await Promise.all([
      listPipelines(api, item.region, { RegionId: item.region, ImagePipelineId: [item.id] }),
      listExecutions(api, item.region, { RegionId: item.region, ImagePipelineId: item.id }),
    ]);
    const raw = pipelines.items.find((p) => text(p, 'ImagePipelineId') === item.id);
    if (raw === undefined) return null;
    // An execution naming another pipeline would be the API ignoring the filter: it is not this pipeline's.
    return toItem(item.region, raw, executions.byPipeline.get(item.id) ?? []);
  },
};
