/**
 * WUYING appstream-center 2021-09-01: ListImage and DeleteImage (alibaba-openapi.md §2.4, §2.11;
 * seeds/003). Images are global (`wuying.images`): every endpoint and region gives the same answer.
 * Parameters arrive in a form body (ListImage keeps Distro and TagList in the query); the server
 * merges both, so handlers do not care.
 */
import { ApiError } from '../errors.js';
import type { WuyingImage } from '../fleet.js';
import { pageByNumber } from '../paging.js';
import { withAnswer, type ApiAnswer, type ApiContext } from './common.js';

function renderWuyingImage(w: WuyingImage, accountId: string): ApiAnswer {
  return withAnswer(
    {
      ImageId: w.ImageId,
      ImageName: w.ImageName ?? w.ImageId,
      Description: w.Description ?? '',
      ImageType: w.ImageType ?? 'User',
      Status: w.Status ?? 'AVAILABLE',
      GmtCreate: w.GmtCreate,
      GmtModified: w.GmtModified ?? w.GmtCreate,
      ProductType: w.ProductType ?? 'CloudApp',
      PackageType: 'Ecs',
      OsType: w.OsType ?? 'Windows',
      Platform: w.OsType ?? 'Windows',
      PlatformName: w.PlatformName ?? 'Windows Server 2019',
      ProtocolType: 'ASP',
      SessionType: 'SINGLE_SESSION',
      ImageCreateMode: 'BY_INSTANCE_ID',
      ImageRegionList: ['cn-shanghai'],
      ImageRegionDistributeList: [],
      AppList: [],
      TagList: [],
      AliUid: Number(accountId),
      SystemDiskSize: 40,
      DataDiskSize: 0,
    },
    w.answer,
  );
}

export function listImage(ctx: ApiContext): ApiAnswer {
  const p = ctx.params;
  const type = p.str('ImageType');
  const status = p.str('Status');
  const product = p.str('ProductType');
  const id = p.str('ImageId');
  const name = p.str('ImageName');
  const pageNumber = p.int('PageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = p.int('PageSize', 10, 1, 100);
  const all = ctx.fleet.wuying.filter(JSON.stringify([type, status, product, id, name]), (w) =>
    (type === undefined || (w.ImageType ?? 'User') === type) &&
    (status === undefined || (w.Status ?? 'AVAILABLE') === status) &&
    (product === undefined || (w.ProductType ?? 'CloudApp') === product) &&
    (id === undefined || w.ImageId === id) &&
    (name === undefined || (w.ImageName ?? w.ImageId).includes(name)));
  const page = pageByNumber(all, pageNumber, pageSize, ctx.fleet.behaviour.paging);
  return {
    RequestId: ctx.requestId,
    Code: '200',
    Message: 'success',
    Success: true,
    Count: page.totalCount,
    PageNumber: pageNumber,
    PageSize: pageSize,
    Data: page.items.map((w) => renderWuyingImage(w, ctx.fleet.accountId)),
  };
}

export function deleteWuyingImage(ctx: ApiContext): ApiAnswer {
  // ImageId is "Required: No" in the docs; without one there is no image to delete.
  const id = ctx.params.str('ImageId');
  const w = id === undefined ? undefined : ctx.fleet.wuying.get(id);
  if (!w || id === undefined) throw new ApiError(400, 'Image.NotExist', 'The image does not exist.');
  if ((w.ImageType ?? 'User') !== 'User') throw new ApiError(400, 'ImageDeleteFailed.NotAllow', 'The image is not allowed to be deleted.');
  if (w.shared) throw new ApiError(400, 'ImageDeleteFailed.HasSharedImage', 'The shared image is not allowed to be deleted.');
  if (w.inUse) throw new ApiError(400, 'ImageNotAllowDelete', 'The image cannot be deleted, because shared cloud computers already exist.');
  if ((w.Status ?? 'AVAILABLE') === 'CREATING') {
    throw new ApiError(400, 'InvalidImageOperation.ImageIsCreating', 'Failed to operation the image, it is creating.');
  }
  ctx.fleet.wuying.delete(id);
  return { RequestId: ctx.requestId, Data: true, Success: true, Code: '200', Message: 'successful' };
}

