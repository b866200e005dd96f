/**
 * The route table: (version, action) → handler. One endpoint serves every product, as the
 * cloud's products are told apart by version here (the host is always 127.0.0.1).
 */
import type { Product } from '../fleet.js';
import { listImage, deleteWuyingImage } from './appstream.js';
import type { Handler, Route } from './common.js';
import { deleteImage, describeImages, describeImageSharePermission } from './ecs-images.js';
import { deleteImagePipeline, describeImagePipelineExecutions, describeImagePipelines } from './ecs-pipelines.js';
import { tagResources, untagResources } from './ecs-tags.js';
import { listCustomImages } from './ehpc.js';
import { listImages, removeImage } from './ehpc-instant.js';
import { getCallerIdentity } from './sts.js';
import { describeLaunchTemplates, describeLaunchTemplateVersions } from './ecs-launch-templates.js';
import { deleteSnapshot, describeDisks } from './ecs-snapshots.js';
import { listExecutors } from './ehpc-executors.js';
import { describeScalingConfigurations } from './ess.js';

export const PRODUCT_VERSIONS: Record<string, Product> = {
  '2014-05-26': 'ecs',
  '2018-04-12': 'ehpc',
  '2023-07-01': 'ehpcinstant',
  '2021-09-01': 'appstream',
  '2015-04-01': 'sts',
  '2014-08-28': 'ess',
};

const VERSION_OF: Record<Product, string> = { ecs: '2014-05-26', ehpc: '2018-04-12', ehpcinstant: '2023-07-01', appstream: '2021-09-01', sts: '2015-04-01', ess: '2014-08-28' };

function route(product: Product, action: string, mutating: boolean, handler: Handler): Route {
  return { product, action, version: VERSION_OF[product], mutating, handler };
}

export const ROUTES: readonly Route[] = [
  route('ecs', 'DescribeImages', false, describeImages),
  route('ecs', 'DeleteImage', true, deleteImage),
  route('ecs', 'DescribeImageSharePermission', false, describeImageSharePermission),
  route('ecs', 'TagResources', true, tagResources),
  route('ecs', 'UntagResources', true, untagResources),
  route('ecs', 'DescribeImagePipelines', false, describeImagePipelines),
  route('ecs', 'DescribeImagePipelineExecutions', false, describeImagePipelineExecutions),
  route('ecs', 'DeleteImagePipeline', true, deleteImagePipeline),
  route('ehpc', 'ListCustomImages', false, listCustomImages),
  route('ehpcinstant', 'RemoveImage', true, removeImage),
  route('ehpcinstant', 'ListImages', false, listImages),
  route('appstream', 'ListImage', false, listImage),
  route('appstream', 'DeleteImage', true, deleteWuyingImage),
  route('sts', 'GetCallerIdentity', false, getCallerIdentity),
  // In-use references and the snapshot cascade (docs/in-use-and-snapshots.md).
  route('ecs', 'DescribeLaunchTemplates', false, describeLaunchTemplates),
  route('ecs', 'DescribeLaunchTemplateVersions', false, describeLaunchTemplateVersions),
  route('ecs', 'DescribeDisks', false, describeDisks),
  route('ecs', 'DeleteSnapshot', true, deleteSnapshot),
  route('ess', 'DescribeScalingConfigurations', false, describeScalingConfigurations),
  route('ehpcinstant', 'ListExecutors', false, listExecutors),
];

const BY_KEY = new Map(ROUTES.map((r) => [`${r.version} ${r.action}`, r]));

export function findRoute(version: string, action: string): Route | undefined {
  return BY_KEY.get(`${version} ${action}`);
}
