/**
 * E-HPC Instant 2023-07-01 ListExecutors
 * (https://help.aliyun.com/zh/e-hpc/e-hpc-instant/developer-reference/api-ehpcinstant-2023-07-01-listexecutors;
 * SDK ehpcinstant-20230701 ListExecutorsShrinkRequest / ListExecutorsResponseBody).
 * `Filter` is one JSON string (the SDK's "shrink" style): {Status[], ExecutorIds[], JobName
 * (substring), Image, TimeCreatedAfter/Before (ignored)}. PageNumber (default 1), PageSize
 * (default 50, max 100). The answer's TotalCount is a string, as the SDK types it. Executors of
 * the request's region (RegionId or host), or of every region when it has none.
 */
import { ApiError } from '../errors.js';
import type { FleetExecutor } from '../fleet.js';
import { pageByNumber } from '../paging.js';
import type { RegionState } from '../state.js';
import { withAnswer, type ApiAnswer, type ApiContext } from './common.js';

const invalidParams = (name: string): ApiError => new ApiError(400, 'InvalidParams', `The specified parameter ${name} is invalid.`);

interface ExecutorFilter {
  Status?: string[];
  ExecutorIds?: string[];
  JobName?: string;
  Image?: string;
}

function filterOf(ctx: ApiContext): ExecutorFilter {
  const raw = ctx.params.str('Filter');
  if (raw === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    throw invalidParams('Filter');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidParams('Filter');
  const f = v as Record<string, unknown>;
  const strings = (k: string) => {
    const x = f[k];
    if (x === undefined) return undefined;
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) throw invalidParams(`Filter.${k}`);
    return x as string[];
  };
  const text = (k: string) => {
    const x = f[k];
    if (x === undefined) return undefined;
    if (typeof x !== 'string') throw invalidParams(`Filter.${k}`);
    return x;
  };
  const out: ExecutorFilter = {};
  const status = strings('Status');
  if (status) out.Status = status;
  const ids = strings('ExecutorIds');
  if (ids) out.ExecutorIds = ids;
  const job = text('JobName');
  if (job) out.JobName = job;
  const image = text('Image');
  if (image) out.Image = image;
  return out;
}

function render(e: FleetExecutor, region: string): ApiAnswer {
  const [, task = 'task0', index = '0'] = /^(?:.*)-([^-]+)-(\d+)$/.exec(e.ExecutorId) ?? [];
  return withAnswer(
    {
      ExecutorId: e.ExecutorId,
      JobId: e.JobId ?? e.ExecutorId.replace(/-[^-]+-\d+$/, ''),
      JobName: e.JobName ?? 'job',
      TaskName: e.TaskName ?? task,
      ArrayIndex: Number(index),
      Image: e.Image,
      Status: e.Status,
      StatusReason: '',
      CreateTime: e.CreateTime ?? '2026-01-01 00:00:00',
      StartTime: e.CreateTime ?? '2026-01-01 00:00:00',
      EndTime: '',
      IpAddress: [],
      HostName: [],
      ExternalIpAddress: [],
      VswitchId: `vsw-${region}`,
      ResourceType: 'VM',
      Resource: { Cores: 2, Memory: 4, Disks: [{ Size: 40, Type: 'System' }] },
      Tags: [],
    },
    e.answer,
  );
}

export function listExecutors(ctx: ApiContext): ApiAnswer {
  const filter = filterOf(ctx);
  const pageNumber = ctx.params.int('PageNumber', 1, 1, Number.MAX_SAFE_INTEGER, () => invalidParams('PageNumber'));
  const pageSize = ctx.params.int('PageSize', 50, 1, 100, () => invalidParams('PageSize'));
  const regions: RegionState[] = ctx.region ? [ctx.fleet.region(ctx.region)] : [...ctx.fleet.regions.values()];
  const all = regions.flatMap((r) =>
    r.executors
      .filter(
        (e) =>
          (filter.Status === undefined || filter.Status.includes(e.Status)) &&
          (filter.ExecutorIds === undefined || filter.ExecutorIds.includes(e.ExecutorId)) &&
          (filter.JobName === undefined || (e.JobName ?? 'job').includes(filter.JobName)) &&
          (filter.Image === undefined || e.Image === filter.Image),
      )
      .map((e) => render(e, r.name)),
  );
  const page = pageByNumber(all, pageNumber, pageSize, ctx.fleet.behaviour.paging);
  return {
    RequestId: ctx.requestId,
    TotalCount: String(page.totalCount),
    PageNumber: pageNumber,
    PageSize: pageSize,
    Executors: page.items,
  };
}
