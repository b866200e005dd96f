/**
 * ECS 2014-05-26 launch templates: DescribeLaunchTemplates and DescribeLaunchTemplateVersions
 * (@alicloud/ecs20140526 models; https://www.alibabacloud.com/help/doc-detail/73759.html and
 * https://www.alibabacloud.com/help/doc-detail/73761.htm). Both page with PageNumber/PageSize
 * (default 10); neither documents a maximum PageSize, so the emulator takes 50 as the ECS lists of
 * that age do. Templates list newest first; versions by VersionNumber, highest first (guessed).
 */
import { ApiError, invalidParameter, missingParameter } from '../errors.js';
import type { FleetDataDisk, FleetLaunchTemplate, FleetLaunchTemplateVersion } from '../fleet.js';
import { newestFirst } from '../state.js';
import { ecsPage, ecsRegion, withAnswer, type ApiAnswer, type ApiContext } from './common.js';

export const LAUNCH_TEMPLATE_MAX_PAGE_SIZE = 50;
const DEFAULT_TIME = '2026-01-01T00:00:00Z';

const templateOrder = newestFirst<FleetLaunchTemplate>((t) => t.CreateTime ?? DEFAULT_TIME, (t) => t.LaunchTemplateId);

function versionsOf(t: FleetLaunchTemplate): FleetLaunchTemplateVersion[] {
  return [...(t.versions ?? [])].sort((a, b) => b.VersionNumber - a.VersionNumber);
}

function defaultVersion(t: FleetLaunchTemplate): number | null {
  if (t.DefaultVersionNumber !== undefined) return t.DefaultVersionNumber;
  const numbers = (t.versions ?? []).map((v) => v.VersionNumber);
  return numbers.length === 0 ? null : Math.min(...numbers);
}

function renderTemplate(t: FleetLaunchTemplate): ApiAnswer {
  const numbers = (t.versions ?? []).map((v) => v.VersionNumber);
  return withAnswer(
    {
      LaunchTemplateId: t.LaunchTemplateId,
      LaunchTemplateName: t.LaunchTemplateName ?? t.LaunchTemplateId,
      CreateTime: t.CreateTime ?? DEFAULT_TIME,
      ModifiedTime: t.CreateTime ?? DEFAULT_TIME,
      DefaultVersionNumber: defaultVersion(t) ?? 0,
      LatestVersionNumber: numbers.length === 0 ? 0 : Math.max(...numbers),
      CreatedBy: '1234567890123456',
      ResourceGroupId: '',
      Tags: { Tag: [] },
    },
    t.answer,
  );
}

export function renderDataDisks(disks: FleetDataDisk[] | undefined): ApiAnswer {
  return {
    DataDisk: (disks ?? []).map((d, i) => ({
      SnapshotId: d.SnapshotId ?? '',
      Size: d.Size ?? 40,
      Category: d.Category ?? 'cloud_essd',
      Device: d.Device ?? `/dev/xvd${String.fromCharCode(98 + i)}`,
    })),
  };
}

function renderVersion(t: FleetLaunchTemplate, v: FleetLaunchTemplateVersion, detail: boolean): ApiAnswer {
  const item: ApiAnswer = {
    LaunchTemplateId: t.LaunchTemplateId,
    LaunchTemplateName: t.LaunchTemplateName ?? t.LaunchTemplateId,
    VersionNumber: v.VersionNumber,
    DefaultVersion: v.VersionNumber === defaultVersion(t),
    VersionDescription: v.VersionDescription ?? '',
    CreateTime: v.CreateTime ?? t.CreateTime ?? DEFAULT_TIME,
    ModifiedTime: v.CreateTime ?? t.CreateTime ?? DEFAULT_TIME,
    CreatedBy: '1234567890123456',
  };
  if (detail) {
    item.LaunchTemplateData = {
      ImageId: v.ImageId ?? '',
      ImageOwnerAlias: v.ImageId === undefined ? '' : 'self',
      InstanceType: 'ecs.g7.large',
      SystemDisk: { Category: 'cloud_essd', Size: 40 },
      DataDisks: renderDataDisks(v.DataDisks),
      NetworkInterfaces: { NetworkInterface: [] },
      Tags: { InstanceTag: [] },
    };
  }
  return withAnswer(item, v.answer);
}

export function describeLaunchTemplates(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const ids = ctx.params.list('LaunchTemplateId');
  const names = ctx.params.list('LaunchTemplateName');
  if (ids.length > 100) throw invalidParameter('LaunchTemplateId', 'holds more than 100 IDs');
  if (names.length > 100) throw invalidParameter('LaunchTemplateName', 'holds more than 100 names');
  const all = [...region.launchTemplates]
    .filter((t) => (ids.length === 0 || ids.includes(t.LaunchTemplateId)) && (names.length === 0 || names.includes(t.LaunchTemplateName ?? t.LaunchTemplateId)))
    .sort(templateOrder);
  const { head, items } = ecsPage(ctx, all, LAUNCH_TEMPLATE_MAX_PAGE_SIZE);
  return { RequestId: ctx.requestId, ...head, LaunchTemplateSets: { LaunchTemplateSet: items.map(renderTemplate) } };
}

export function describeLaunchTemplateVersions(ctx: ApiContext): ApiAnswer {
  const region = ecsRegion(ctx);
  const id = ctx.params.str('LaunchTemplateId');
  const name = ctx.params.str('LaunchTemplateName');
  // "You must specify LaunchTemplateId or LaunchTemplateName": the code for neither is a guess (README).
  if (id === undefined && name === undefined) throw missingParameter('LaunchTemplateId');
  const template = region.launchTemplates.find((t) => (id === undefined || t.LaunchTemplateId === id) && (name === undefined || (t.LaunchTemplateName ?? t.LaunchTemplateId) === name));
  if (template === undefined) throw new ApiError(404, 'InvalidLaunchTemplate.NotFound', 'The specified launch template is not found.');
  const wanted = ctx.params.list('LaunchTemplateVersion').map(Number);
  const min = ctx.params.int('MinVersion', 1, 1, Number.MAX_SAFE_INTEGER);
  const max = ctx.params.int('MaxVersion', Number.MAX_SAFE_INTEGER, 1, Number.MAX_SAFE_INTEGER);
  const onlyDefault = ctx.params.bool('DefaultVersion', false);
  const detail = ctx.params.bool('DetailFlag', true);
  const def = defaultVersion(template);
  const versions = versionsOf(template).filter(
    (v) => (wanted.length === 0 || wanted.includes(v.VersionNumber)) && v.VersionNumber >= min && v.VersionNumber <= max && (!onlyDefault || v.VersionNumber === def),
  );
  const { head, items } = ecsPage(ctx, versions, LAUNCH_TEMPLATE_MAX_PAGE_SIZE);
  return { RequestId: ctx.requestId, ...head, LaunchTemplateVersionSets: { LaunchTemplateVersionSet: items.map((v) => renderVersion(template, v, detail)) } };
}
