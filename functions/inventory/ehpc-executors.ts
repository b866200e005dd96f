/**
 * E-HPC Instant jobs as in-use references. RemoveImage answers 403 ImageInUse ("Image is still
 * used by jobs") at deletion time, and that refusal stays the last guard; at planning time the
 * one thing E-HPC Instant exposes is ListExecutors (2023-07-01): every executor of every job, with
 * the `Image` it runs on and its `Status`. An executor that has not finished (Pending, Initing,
 * Running, Retrying, Suspended, Restarting, Exception, Deleting) uses its image.
 *
 * What it cannot show: which finished jobs ImageInUse still counts (undocumented), and jobs of
 * other accounts. E-HPC Instant exists in 15 regions; elsewhere there are no jobs to ask about.
 * An account that never enabled the service answers 400 NotEnabled: no jobs either.
 * Facts: https://help.aliyun.com/zh/e-hpc/e-hpc-instant/developer-reference/api-ehpcinstant-2023-07-01-listexecutors
 * (RAM ehpc:ListExecutors on all resources; PageSize default 50, max 100; TotalCount is a string)
 * and the SDK model ehpcinstant-20230701/src/models/ListExecutorsResponseBody.ts.
 */
import type { CloudApi } from '../cloud/api.js';
import { isCloudError } from '../cloud/errors.js';
import type { Reference } from './launch-templates.js';
import { records, text } from './fields.js';
import { ListingError, listNumbered } from './paging.js';

/** The regions with an E-HPC Instant endpoint (shared/reference/alibaba-openapi.md §3). */
export const EHPC_INSTANT_REGIONS: ReadonlySet<string> = new Set([
  'cn-beijing', 'cn-wulanchabu', 'cn-hangzhou', 'cn-shanghai', 'cn-shenzhen', 'cn-heyuan', 'cn-guangzhou', 'cn-chengdu',
  'cn-hongkong', 'ap-northeast-1', 'ap-southeast-1', 'ap-southeast-5', 'ap-northeast-2', 'ap-southeast-3', 'eu-central-1',
]);

/** Executor states that are over: the executor no longer runs on its image. */
export const FINISHED_EXECUTOR_STATUSES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Expired', 'Deleted']);
/** The documented states that are not over; asked for by name so that the listing stays short. */
export const ACTIVE_EXECUTOR_STATUSES = ['Pending', 'Initing', 'Running', 'Exception', 'Retrying', 'Suspended', 'Restarting', 'Deleting'] as const;
export const EXECUTOR_PAGE_SIZE = 100;

export interface ExecutorReferences {
  readonly images: Reference[];
  readonly warnings: string[];
  /** Why nothing was asked, when nothing was: `no E-HPC Instant endpoint in …`, `E-HPC Instant is not enabled`. */
  readonly skipped: string | null;
}

export async function executorReferences(api: CloudApi, region: string): Promise<ExecutorReferences> {
  if (!EHPC_INSTANT_REGIONS.has(region)) return { images: [], warnings: [], skipped: `E-HPC Instant has no endpoint in ${region}` };
  let listed;
  try {
    listed = await listNumbered(api, {
      action: 'ehpcinstant.ListExecutors',
      region,
      params: { RegionId: region, Filter: JSON.stringify({ Status: ACTIVE_EXECUTOR_STATUSES }) },
      pageSize: EXECUTOR_PAGE_SIZE,
      items: (body) => records(body['Executors']),
      total: (body) => body['TotalCount'],
      id: (item) => text(item, 'ExecutorId'),
    });
  } catch (e) {
    if (isCloudError(e) && e.code === 'NotEnabled') return { images: [], warnings: [], skipped: 'E-HPC Instant is not enabled in this account (NotEnabled)' };
    throw e;
  }
  const images: Reference[] = [];
  const warnings = [...listed.warnings];
  for (const executor of listed.items) {
    const status = text(executor, 'Status');
    // The filter asked for unfinished executors; one that says otherwise is ignored only when it says finished.
    if (status !== null && FINISHED_EXECUTOR_STATUSES.has(status)) continue;
    const image = text(executor, 'Image');
    const id = text(executor, 'ExecutorId') as string;
    const job = text(executor, 'JobId');
    const by = `E-HPC Instant executor ${id}${job === null ? '' : ` of job ${job}`} (${status ?? 'status unknown'})`;
    // An unfinished executor whose image cannot be read could be on any image: the lookup fails (closed).
    if (image === null) throw new ListingError('MalformedResponse', `ListExecutors gave ${by} without an Image`);
    images.push({ by, target: image });
  }
  return { images, warnings, skipped: null };
}
