/** E-HPC ListCustomImages (2018-04-12): one call per region, no paging, no creation time. */
import type { CloudApi } from '../cloud/api.js';
import { id as idOf, isRecord, num, path, text, type Raw } from './fields.js';
import { ListingError } from './paging.js';
import type { ListContext } from './resource.js';

export interface EhpcCustomImage {
  readonly id: string;
  readonly name: string | null;
  readonly osTag: string | null;
  readonly status: string | null;
  readonly sizeGiB: number | null;
  readonly ownerAlias: string | null;
  readonly raw: Raw;
}

export function listEhpcCustomImages(api: CloudApi, region: string, ctx: ListContext): Promise<EhpcCustomImage[]> {
  return ctx.once(`ehpc.ListCustomImages:${region}`, async () => {
    const body = await api.call('ehpc.ListCustomImages', region, { RegionId: region, ImageOwnerAlias: 'self' });
    const list = path(body, 'Images', 'ImageInfo');
    // `Images: {}` is an empty list; no `Images` at all, or an ImageInfo that is not a list,
    // cannot be told from a broken answer, and "no images" must never be guessed.
    if (!isRecord(body['Images']) || (list !== undefined && !Array.isArray(list))) {
      throw new ListingError('MalformedResponse', 'ListCustomImages answered without a usable Images.ImageInfo list');
    }
    const out: EhpcCustomImage[] = [];
    const seen = new Set<string>();
    for (const entry of Array.isArray(list) ? list : []) {
      const info = isRecord(entry) ? entry : {};
      const id = idOf(info, 'ImageId');
      // An entry that cannot be named could be any image: left out, it would be taken for an
      // ecs-image and deleted without E-HPC's RemoveImage, under rules meant for other images.
      if (id === null) throw new ListingError('MalformedResponse', `ListCustomImages returned an entry without a usable ImageId: ${JSON.stringify(entry).slice(0, 120)}`);
      if (seen.has(id)) continue;
      seen.add(id);
      const osTag = path(info, 'OsTag', 'OsTag');
      out.push({
        id,
        name: text(info, 'ImageName'),
        osTag: typeof osTag === 'string' && osTag !== '' ? osTag : null,
        status: text(info, 'Status'),
        sizeGiB: num(info, 'Size'),
        ownerAlias: text(info, 'ImageOwnerAlias'),
        raw: info,
      });
    }
    return out;
  });
}
