/**
 * ECS launch templates as in-use references: every version of every template in a region
 * (DescribeLaunchTemplates, then DescribeLaunchTemplateVersions per template), not only the
 * default or latest one, since any old version can still be launched by number. Cloud Custodian
 * #6554 is the outage this answers: an image deleted because a launch template no scaling group
 * used still named it.
 *
 * A version names an image (LaunchTemplateData.ImageId) and may name snapshots as data-disk
 * sources (LaunchTemplateData.DataDisks.DataDisk[].SnapshotId); both are references.
 * Facts: ECS 2014-05-26 DescribeLaunchTemplates / DescribeLaunchTemplateVersions (the
 * @alicloud/ecs20140526 models; docs https://www.alibabacloud.com/help/doc-detail/73759.html and
 * https://www.alibabacloud.com/help/doc-detail/73761.htm).
 */
import type { CloudApi } from '../cloud/api.js';
import { isRecord, path, records, text, type Raw } from './fields.js';
import { ListingError, listNumbered } from './paging.js';

/** Neither API documents a maximum PageSize; 50 is the largest the ECS list APIs of that age take. */
export const LAUNCH_TEMPLATE_PAGE_SIZE = 50;

export interface Reference {
  /** What refers: `launch template lt-x (web) version 3`. */
  readonly by: string;
  /** Whose reference: an image ID, an image family or a snapshot ID. */
  readonly target: string;
}

export interface LaunchTemplateReferences {
  readonly images: Reference[];
  readonly snapshots: Reference[];
  readonly warnings: string[];
  readonly templates: number;
  readonly versions: number;
}

function describeTemplate(raw: Raw): string {
  const id = text(raw, 'LaunchTemplateId') ?? '?';
  const name = text(raw, 'LaunchTemplateName');
  return name === null || name === id ? `launch template ${id}` : `launch template ${id} (${name})`;
}

/** Every template of the region and every version of each. Throws (CloudError, ListingError) when a listing fails. */
export async function launchTemplateReferences(api: CloudApi, region: string): Promise<LaunchTemplateReferences> {
  const templates = await listNumbered(api, {
    action: 'ecs.DescribeLaunchTemplates',
    region,
    params: { RegionId: region },
    pageSize: LAUNCH_TEMPLATE_PAGE_SIZE,
    items: (body) => records(path(body, 'LaunchTemplateSets', 'LaunchTemplateSet')),
    total: (body) => body['TotalCount'],
    id: (item) => text(item, 'LaunchTemplateId'),
  });
  const images: Reference[] = [];
  const snapshots: Reference[] = [];
  const warnings = [...templates.warnings];
  let versionCount = 0;
  // One template at a time: the client paces calls per action anyway, and a region rarely has many.
  for (const template of templates.items) {
    const id = text(template, 'LaunchTemplateId') as string;
    const versions = await listNumbered(api, {
      action: 'ecs.DescribeLaunchTemplateVersions',
      region,
      params: { RegionId: region, LaunchTemplateId: id, DetailFlag: true },
      pageSize: LAUNCH_TEMPLATE_PAGE_SIZE,
      items: (body) => records(path(body, 'LaunchTemplateVersionSets', 'LaunchTemplateVersionSet')),
      total: (body) => body['TotalCount'],
      id: (item) => text(item, 'VersionNumber'),
    });
    warnings.push(...versions.warnings);
    for (const version of versions.items) {
      versionCount++;
      const number = text(version, 'VersionNumber') as string;
      const by = `${describeTemplate(template)} version ${number}${version['DefaultVersion'] === true ? ' (default)' : ''}`;
      const data = version['LaunchTemplateData'];
      // DetailFlag=true asks for the configuration; a version without one cannot be shown not to name an image.
      if (!isRecord(data)) throw new ListingError('MalformedResponse', `DescribeLaunchTemplateVersions gave ${by} without LaunchTemplateData`);
      const imageId = text(data, 'ImageId');
      if (imageId !== null) images.push({ by, target: imageId });
      for (const disk of records(path(data, 'DataDisks', 'DataDisk'))) {
        const snapshotId = text(disk, 'SnapshotId');
        if (snapshotId !== null) snapshots.push({ by: `${by} data disk`, target: snapshotId });
      }
    }
  }
  return { images, snapshots, warnings, templates: templates.items.length, versions: versionCount };
}
