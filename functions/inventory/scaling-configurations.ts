/**
 * Auto Scaling (ESS 2014-08-28) scaling configurations as in-use references: a scaling group
 * launches instances from its configuration's ImageId (or the newest image of its ImageFamily),
 * at any time, long after the image was last used. Inactive configurations count too: activating
 * one again is a console click. A configuration's data disks may name snapshots as sources.
 * Facts: DescribeScalingConfigurations, PageSize 1..50, default 10; ScalingConfigurations.
 * ScalingConfiguration[] with ImageId, ImageFamily, LifecycleState (Active|Inactive),
 * DataDisks.DataDisk[].SnapshotId (https://www.alibabacloud.com/help/en/auto-scaling/latest/describescalingconfigurations).
 */
import type { CloudApi } from '../cloud/api.js';
import type { Reference } from './launch-templates.js';
import { path, records, text } from './fields.js';
import { listNumbered } from './paging.js';

export const SCALING_CONFIGURATION_PAGE_SIZE = 50;

export interface ScalingConfigurationReferences {
  readonly images: Reference[];
  /** ImageFamily targets: the newest image of the family is what a scale-out would use. */
  readonly families: Reference[];
  readonly snapshots: Reference[];
  readonly warnings: string[];
  readonly configurations: number;
}

/** Every scaling configuration of the region. Throws (CloudError, ListingError) when the listing fails. */
export async function scalingConfigurationReferences(api: CloudApi, region: string): Promise<ScalingConfigurationReferences> {
  const listed = await listNumbered(api, {
    action: 'ess.DescribeScalingConfigurations',
    region,
    params: { RegionId: region },
    pageSize: SCALING_CONFIGURATION_PAGE_SIZE,
    items: (body) => records(path(body, 'ScalingConfigurations', 'ScalingConfiguration')),
    total: (body) => body['TotalCount'],
    id: (item) => text(item, 'ScalingConfigurationId'),
  });
  const images: Reference[] = [];
  const families: Reference[] = [];
  const snapshots: Reference[] = [];
  for (const config of listed.items) {
    const id = text(config, 'ScalingConfigurationId') as string;
    const name = text(config, 'ScalingConfigurationName');
    const group = text(config, 'ScalingGroupId');
    const state = text(config, 'LifecycleState');
    const by = `scaling configuration ${id}${name === null || name === id ? '' : ` (${name})`}${group === null ? '' : ` of scaling group ${group}`}${state === null ? '' : `, ${state}`}`;
    const imageId = text(config, 'ImageId');
    if (imageId !== null) images.push({ by, target: imageId });
    const family = text(config, 'ImageFamily');
    if (family !== null) families.push({ by: `${by} (image family)`, target: family });
    for (const disk of records(path(config, 'DataDisks', 'DataDisk'))) {
      const snapshotId = text(disk, 'SnapshotId');
      if (snapshotId !== null) snapshots.push({ by: `${by} data disk`, target: snapshotId });
    }
  }
  return { images, families, snapshots, warnings: listed.warnings, configurations: listed.items.length };
}
