/**
 * Auto Scaling (ESS) 2014-08-28: DescribeScalingConfigurations
 * (https://www.alibabacloud.com/help/en/auto-scaling/latest/describescalingconfigurations).
 * RegionId required; ScalingGroupId; ScalingConfigurationId.N and ScalingConfigurationName.N (at
 * most 10 each; unknown ones are ignored, no error); PageNumber; PageSize 1..50, default 10. Active
 * and inactive configurations are both listed; names match active ones only, as documented.
 */
import { invalidParameter } from '../errors.js';
import type { FleetScalingConfiguration } from '../fleet.js';
import { newestFirst } from '../state.js';
import { ecsPage, ecsRegion, withAnswer, type ApiAnswer, type ApiContext } from './common.js';
import { renderDataDisks } from './ecs-launch-templates.js';

const DEFAULT_TIME = '2026-01-01T00:00:00Z';
const order = newestFirst<FleetScalingConfiguration>((c) => c.CreationTime ?? DEFAULT_TIME, (c) => c.ScalingConfigurationId);

/** `2026-01-01T00:00:00Z` → `2026-01-01T00:00Z`, the minute precision ESS answers with. */
function essTime(iso: string): string {
  return iso.replace(/:\d{2}(\.\d+)?Z$/, 'Z');
}

function render(c: FleetScalingConfiguration): ApiAnswer {
  return withAnswer(
    {
      ScalingConfigurationId: c.ScalingConfigurationId,
      ScalingConfigurationName: c.ScalingConfigurationName ?? c.ScalingConfigurationId,
      ScalingGroupId: c.ScalingGroupId,
      ImageId: c.ImageId ?? '',
      ImageFamily: c.ImageFamily ?? '',
      ImageName: '',
      LifecycleState: c.LifecycleState ?? 'Active',
      CreationTime: essTime(c.CreationTime ?? DEFAULT_TIME),
      InstanceType: 'ecs.g7.large',
      SecurityGroupId: 'sg-emulator',
      SystemDiskCategory: 'cloud_essd',
      SystemDiskSize: 40,
      InternetChargeType: 'PayByTraffic',
      InternetMaxBandwidthIn: 100,
      InternetMaxBandwidthOut: 0,
      DataDisks: renderDataDisks(c.DataDisks),
      Tags: { Tag: [] },
    },
    c.answer,
  );
}

export function describeScalingConfigurations(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const group = ctx.params.str('ScalingGroupId');
  const ids = ctx.params.list('ScalingConfigurationId');
  const names = ctx.params.list('ScalingConfigurationName');
  if (ids.length > 10) throw invalidParameter('ScalingConfigurationId', 'holds more than 10 IDs');
  if (names.length > 10) throw invalidParameter('ScalingConfigurationName', 'holds more than 10 names');
  const all = [...region.scalingConfigurations]
    .filter(
      (c) =>
        (group === undefined || c.ScalingGroupId === group) &&
        (ids.length === 0 || ids.includes(c.ScalingConfigurationId)) &&
        (names.length === 0 || ((c.LifecycleState ?? 'Active') === 'Active' && names.includes(c.ScalingConfigurationName ?? c.ScalingConfigurationId))),
    )
    .sort(order);
  const { head, items } = ecsPage(ctx, all, 50);
  return { RequestId: ctx.requestId, ...head, ScalingConfigurations: { ScalingConfiguration: items.map(render) } };
}
