/**
 * ECS 2014-05-26 image pipelines: DescribeImagePipelines, DescribeImagePipelineExecutions,
 * DeleteImagePipeline (alibaba-openapi.md §2.3, §2.7, §2.8; seeds/002).
 * Both lists page with MaxResults (1..500, default 50) and an opaque NextToken.
 */
import { ApiError, invalidParameter } from '../errors.js';
import { TERMINAL_EXECUTION_STATUSES, type FleetExecution, type FleetPipeline } from '../fleet.js';
import { pageByToken } from '../paging.js';
import { newestFirst } from '../state.js';
import { ecsRegion, ecsTags, matchesTags, tagFilter, withAnswer, type ApiAnswer, type ApiContext } from './common.js';

function maxResults(ctx: ApiContext): number {
  return ctx.params.int('MaxResults', 50, 1, 500);
}

function renderPipeline(p: FleetPipeline): ApiAnswer {
  return withAnswer(
    {
      ImagePipelineId: p.ImagePipelineId,
      Name: p.Name ?? p.ImagePipelineId,
      Description: p.Description ?? '',
      CreationTime: p.CreationTime,
      BaseImageType: p.BaseImageType ?? 'IMAGE',
      BaseImage: p.BaseImage ?? '',
      ImageName: p.ImageName ?? '',
      ImageFamily: p.ImageFamily ?? '',
      BuildContent: '',
      TestContent: '',
      InstanceType: '',
      VSwitchId: '',
      DeleteInstanceOnFailure: true,
      InternetMaxBandwidthOut: 0,
      SystemDiskSize: 40,
      ResourceGroupId: '',
      ToRegionIds: { RegionId: [] },
      AddAccounts: { AddAccount: [] },
      Tags: ecsTags(p.Tags),
    },
    p.answer,
  );
}

export function describeImagePipelines(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const ids = ctx.params.list('ImagePipelineId');
  if (ids.length > 20) throw invalidParameter('ImagePipelineId', 'holds more than 20 IDs');
  const name = ctx.params.str('Name');
  const tags = tagFilter(ctx);
  const max = maxResults(ctx);
  const all = region.pipelines
    .sortedAll()
    .filter((p) => (ids.length === 0 || ids.includes(p.ImagePipelineId)) && (name === undefined || (p.Name ?? p.ImagePipelineId) === name) && matchesTags(p.Tags, tags));
  const page = pageByToken(all, ctx.params.str('NextToken'), max, ctx.fleet.behaviour.paging);
  const answer: ApiAnswer = {
    RequestId: ctx.requestId,
    TotalCount: page.totalCount,
    MaxResults: max,
    ImagePipeline: { ImagePipelineSet: page.items.map(renderPipeline) },
  };
  if (page.nextToken !== undefined) answer.NextToken = page.nextToken;
  return answer;
}

interface ExecutionRow {
  pipeline: FleetPipeline;
  execution: FleetExecution;
}

const executionOrder = newestFirst<ExecutionRow>((r) => r.execution.CreationTime, (r) => r.execution.ExecutionId);

function renderExecution({ pipeline, execution: e }: ExecutionRow): ApiAnswer {
  return withAnswer(
    {
      ExecutionId: e.ExecutionId,
      ImagePipelineId: pipeline.ImagePipelineId,
      ImageId: e.ImageId ?? '',
      Status: e.Status,
      Message: e.Message ?? '',
      CreationTime: e.CreationTime,
      ModifiedTime: e.ModifiedTime ?? e.CreationTime,
      ResourceGroupId: '',
      Tags: ecsTags(e.Tags),
    },
    e.answer,
  );
}

export function describeImagePipelineExecutions(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const pipelineId = ctx.params.str('ImagePipelineId');
  const executionId = ctx.params.str('ExecutionId');
  const statuses = ctx.params.commaList('Status');
  const tags = tagFilter(ctx);
  const max = maxResults(ctx);
  // An unknown ImagePipelineId lists nothing (README: guessed).
  const pipelines = pipelineId === undefined ? region.pipelines.values() : [region.pipelines.get(pipelineId)].filter((p): p is FleetPipeline => p !== undefined);
  const rows = pipelines
    .flatMap((pipeline) => (pipeline.executions ?? []).map((execution) => ({ pipeline, execution })))
    .filter(({ execution: e }) => (executionId === undefined || e.ExecutionId === executionId) && (statuses.length === 0 || statuses.includes(e.Status)) && matchesTags(e.Tags, tags))
    .sort(executionOrder);
  const page = pageByToken(rows, ctx.params.str('NextToken'), max, ctx.fleet.behaviour.paging);
  const answer: ApiAnswer = {
    RequestId: ctx.requestId,
    TotalCount: page.totalCount,
    MaxResults: max,
    ImagePipelineExecution: { ImagePipelineExecutionSet: page.items.map(renderExecution) },
  };
  if (page.nextToken !== undefined) answer.NextToken = page.nextToken;
  return answer;
}

export function deleteImagePipeline(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const id = ctx.params.required('ImagePipelineId');
  const pipeline = region.pipelines.get(id);
  if (!pipeline) throw new ApiError(404, 'InvalidImagePipeline.NotFound', `The specified image pipeline ${id} does not exist.`);
  const running = (pipeline.executions ?? []).filter((e) => !TERMINAL_EXECUTION_STATUSES.includes(e.Status));
  if (running.length > 0) {
    const list = running.map((e) => `${e.ExecutionId} (${e.Status})`).join(', ');
    throw new ApiError(403, 'InvalidImagePipeline.HasRunningExecution', `The image pipeline ${id} has running executions: ${list}.`);
  }
  region.pipelines.delete(id);
  return { RequestId: ctx.requestId };
}
