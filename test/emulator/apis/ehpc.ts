/**
 * E-HPC 2018-04-12 ListCustomImages (GET, no paging, no creation time; alibaba-openapi.md §2.5,
 * seeds/004). Lists the region's images that carry an `ehpc` block.
 */
import { invalidParameter } from '../errors.js';
import type { FleetImage } from '../fleet.js';
import type { FleetState } from '../state.js';
import { hostOrParamRegion, withAnswer, type ApiAnswer, type ApiContext } from './common.js';

/** `CentOS_7.2_64` → Platform CentOS, Version 7.2 (unless the fleet says otherwise). */
function osTagParts(img: FleetImage): { OsTag: string; Platform: string; Version: string; Architecture: string } {
  const e = img.ehpc ?? {};
  const osTag = e.osTag ?? 'CentOS_7.2_64';
  const [platform = 'CentOS', version = ''] = osTag.split('_');
  return { OsTag: osTag, Platform: e.platform ?? platform, Version: e.version ?? version, Architecture: img.Architecture ?? 'x86_64' };
}

function renderImageInfo(img: FleetImage, fleet: FleetState): ApiAnswer {
  const os = osTagParts(img);
  const baseOsTag = img.ehpc?.baseOsTag ?? os.OsTag;
  return withAnswer(
    {
      ImageId: img.ImageId,
      ImageName: img.ImageName ?? img.ImageId,
      Status: img.Status ?? 'Available',
      Size: img.Size ?? 40,
      ImageOwnerAlias: img.ImageOwnerAlias ?? 'self',
      Description: img.Description ?? '',
      Uid: fleet.accountId,
      SkuCode: '',
      PricingCycle: '',
      ProductCode: '',
      PostInstallScript: '',
      OsTag: { ...os, BaseOsTag: baseOsTag },
      BaseOsTag: { OsTag: baseOsTag, Platform: os.Platform, Version: os.Version, Architecture: os.Architecture },
    },
    img.ehpc?.answer,
  );
}

export function listCustomImages(ctx: ApiContext): ApiAnswer {
  const region = hostOrParamRegion(ctx);
  const owner = ctx.params.str('ImageOwnerAlias');
  if (owner !== undefined && owner !== 'self' && owner !== 'others') throw invalidParameter('ImageOwnerAlias', 'must be self or others');
  const owners = owner ? [owner] : ['self', 'others'];
  const images = region.images.sortedAll().filter((i) => i.ehpc !== undefined && owners.includes(i.ImageOwnerAlias ?? 'self'));
  return { RequestId: ctx.requestId, Images: { ImageInfo: images.map((i) => renderImageInfo(i, ctx.fleet)) } };
}
