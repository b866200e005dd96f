/**
 * E-HPC Instant 2023-07-01: RemoveImage and ListImages (alibaba-openapi.md §2.1, §2.12; seeds/000).
 * RemoveImage only deregisters the image from E-HPC Instant; the ECS image stays.
 * Neither takes a RegionId of its own: the image is looked up in the request's region when it
 * has one (RegionId or host), else in every region.
 */
import { ApiError } from '../errors.js';
import { FINISHED_EXECUTOR_STATUSES, type FleetImage } from '../fleet.js';
import { pageByNumber } from '../paging.js';
import { newestFirst, type RegionState } from '../state.js';
import { plainTime, withAnswer, type ApiAnswer, type ApiContext } from './common.js';

const invalidParams = (name: string): ApiError => new ApiError(400, 'InvalidParams', `The specified parameter ${name} is invalid.`);

function imageType(ctx: ApiContext): 'VM' | 'Container' {
  const t = ctx.params.str('ImageType') ?? 'VM';
  if (t !== 'VM' && t !== 'Container') throw invalidParams('ImageType');
  return t;
}

const registeredAs = (img: FleetImage): 'VM' | 'Container' => img.ehpc?.imageType ?? 'VM';

export function removeImage(ctx: ApiContext): ApiAnswer {
  const id = ctx.params.required('ImageId', () => invalidParams('ImageId'));
  const type = imageType(ctx);
  const found = ctx.fleet.findImage(id, ctx.region);
  const img = found?.image;
  if (!img || !img.ehpc?.instantRegistered || registeredAs(img) !== type) {
    throw new ApiError(404, 'ImageNotFound', 'The specified image does not exist.');
  }
  // usedByJobs: used in a way ListExecutors does not show (finished jobs' records, say); executors: unfinished ones.
  const running = found!.region.executors.some((e) => e.Image === id && !FINISHED_EXECUTOR_STATUSES.includes(e.Status));
  if (img.ehpc.usedByJobs || running) throw new ApiError(403, 'ImageInUse', 'Image is still used by jobs.');
  img.ehpc.instantRegistered = false;
  return { RequestId: ctx.requestId, Success: true };
}

/** ImageIds / ImageNames arrive as a JSON string (SDK style `json`); `Name.N` is accepted too. */
function jsonList(ctx: ApiContext, name: string): string[] | undefined {
  const raw = ctx.params.str(name);
  if (raw === undefined) {
    const flat = ctx.params.list(name);
    return flat.length > 0 ? flat : undefined;
  }
  try {
    const v: unknown = JSON.parse(raw);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    // fall through
  }
  throw invalidParams(name);
}

const registrationOrder = newestFirst<FleetImage>((i) => i.ehpc?.registeredAt ?? i.CreationTime, (i) => i.ImageId);

function renderInstantImage(img: FleetImage): ApiAnswer {
  const created = img.ehpc?.registeredAt ?? img.CreationTime;
  return withAnswer(
    {
      ImageId: img.ImageId,
      ImageType: registeredAs(img),
      Name: img.ImageName ?? img.ImageId,
      Description: img.Description ?? '',
      Version: 'V1',
      OsTag: img.ehpc?.osTag ?? 'CentOS_7.2_64',
      AppId: '',
      DocumentId: 0,
      Weight: 0,
      CreateTime: created,
      UpdateTime: plainTime(created),
    },
    img.ehpc?.instantAnswer,
  );
}

export function listImages(ctx: ApiContext): ApiAnswer {
  const category = ctx.params.str('ImageCategory');
  if (category !== undefined && category !== 'Public' && category !== 'Custom') throw invalidParams('ImageCategory');
  const type = imageType(ctx);
  const ids = jsonList(ctx, 'ImageIds');
  const names = jsonList(ctx, 'ImageNames');
  const pageNumber = ctx.params.int('PageNumber', 1, 1, Number.MAX_SAFE_INTEGER, () => invalidParams('PageNumber'));
  const pageSize = ctx.params.int('PageSize', 20, 1, 100, () => invalidParams('PageSize'));
  const regions: RegionState[] = ctx.region ? [ctx.fleet.region(ctx.region)] : [...ctx.fleet.regions.values()];
  // The fleet holds custom images only: the Public category is empty.
  const images = category === 'Public' ? [] : regions
    .flatMap((r) => r.images.values())
    .filter((i) => i.ehpc?.instantRegistered && registeredAs(i) === type && (!ids || ids.includes(i.ImageId)) && (!names || names.includes(i.ImageName ?? i.ImageId)))
    .sort(registrationOrder);
  const page = pageByNumber(images, pageNumber, pageSize, ctx.fleet.behaviour.paging);
  return {
    RequestId: ctx.requestId,
    Success: true,
    TotalCount: page.totalCount,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Images: page.items.map(renderInstantImage),
  };
}
