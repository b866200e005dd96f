/**
 * Every cloud API action image-gc can call, and how to call it.
 *
 * This table is the single source of truth for three things: how the client builds a request
 * (product, version, HTTP method, where parameters go), whether dry-run must refuse it (mutating),
 * and which RAM permission the function role needs (ram, ramResources). The RAM policy test derives
 * the granted action set from here, so adding a call without a permission (or the reverse) fails CI.
 *
 * Facts: ../shared/reference/alibaba-openapi.md §1-2 and the generated TypeScript SDKs named there.
 */

export type Product = 'ecs' | 'ehpc' | 'ehpcinstant' | 'appstream' | 'sts' | 'ess';

export interface ActionSpec {
  readonly product: Product;
  /** The API's action name as sent on the wire. */
  readonly action: string;
  readonly version: string;
  readonly method: 'GET' | 'POST';
  /**
   * Where business parameters go. 'query': all in the query string. 'form': in an
   * application/x-www-form-urlencoded body, except the names in `queryParams`.
   */
  readonly placement: 'query' | 'form';
  readonly queryParams?: readonly string[];
  /** Changes something in the cloud: never sent in dry-run. */
  readonly mutating: boolean;
  /** Safe to repeat after an ambiguous failure (timeout, reset): the second call cannot do harm. */
  readonly idempotent: boolean;
  /**
   * RAM action the function role must be granted; null for an action that needs no grant (STS
   * GetCallerIdentity answers any valid credentials), which the RAM policy must not list.
   */
  readonly ram: string | null;
  /**
   * RAM resources the grant is scoped to (`*` for region and account: the role lives in one
   * account, and the policy's regions may change); `*` alone where the service does not
   * support resource-level authorisation.
   */
  readonly ramResources: readonly string[];
}

const ECS = { product: 'ecs', version: '2014-05-26', method: 'POST', placement: 'query' } as const;
const IMAGE_ARN = ['acs:ecs:*:*:image/*'];
const PIPELINE_ARN = ['acs:ecs:*:*:imagepipeline/*'];
const EXECUTION_ARN = ['acs:ecs:*:*:imagepipeline/*', 'acs:ecs:*:*:imagepipelineexecution/*'];
const ALL = ['*'];
// In-use references and the snapshot cascade (docs/in-use-and-snapshots.md): narrowest ARNs the
// ECS RAM tables give (launchtemplate, disk, snapshot); ESS's for scaling groups is UNCONFIRMED.
const LAUNCH_TEMPLATE_ARN = ['acs:ecs:*:*:launchtemplate/*'];
const DISK_ARN = ['acs:ecs:*:*:disk/*'];
const SNAPSHOT_ARN = ['acs:ecs:*:*:snapshot/*'];
const SCALING_GROUP_ARN = ['acs:ess:*:*:scalinggroup/*'];

export const ACTIONS = {
  // ECS 2014-05-26: RPC, POST, every parameter in the query (the SDK's `OpenApiUtil.query`).
  'ecs.DescribeImages': { ...ECS, action: 'DescribeImages', mutating: false, idempotent: true, ram: 'ecs:DescribeImages', ramResources: IMAGE_ARN },
  'ecs.DescribeImageSharePermission': { ...ECS, action: 'DescribeImageSharePermission', mutating: false, idempotent: true, ram: 'ecs:DescribeImageSharePermission', ramResources: IMAGE_ARN },
  'ecs.DeleteImage': { ...ECS, action: 'DeleteImage', mutating: true, idempotent: true, ram: 'ecs:DeleteImage', ramResources: IMAGE_ARN },
  'ecs.TagResources': { ...ECS, action: 'TagResources', mutating: true, idempotent: true, ram: 'ecs:TagResources', ramResources: IMAGE_ARN },
  'ecs.UntagResources': { ...ECS, action: 'UntagResources', mutating: true, idempotent: true, ram: 'ecs:UntagResources', ramResources: IMAGE_ARN },
  'ecs.DescribeImagePipelines': { ...ECS, action: 'DescribeImagePipelines', mutating: false, idempotent: true, ram: 'ecs:DescribeImagePipelines', ramResources: PIPELINE_ARN },
  'ecs.DescribeImagePipelineExecutions': { ...ECS, action: 'DescribeImagePipelineExecutions', mutating: false, idempotent: true, ram: 'ecs:DescribeImagePipelineExecutions', ramResources: EXECUTION_ARN },
  'ecs.DeleteImagePipeline': { ...ECS, action: 'DeleteImagePipeline', mutating: true, idempotent: true, ram: 'ecs:DeleteImagePipeline', ramResources: PIPELINE_ARN },
  // In-use references: every launch template version's ImageId; the snapshot cascade: who else uses a snapshot, then delete it.
  'ecs.DescribeLaunchTemplates': { ...ECS, action: 'DescribeLaunchTemplates', mutating: false, idempotent: true, ram: 'ecs:DescribeLaunchTemplates', ramResources: LAUNCH_TEMPLATE_ARN },
  'ecs.DescribeLaunchTemplateVersions': { ...ECS, action: 'DescribeLaunchTemplateVersions', mutating: false, idempotent: true, ram: 'ecs:DescribeLaunchTemplateVersions', ramResources: LAUNCH_TEMPLATE_ARN },
  'ecs.DescribeDisks': { ...ECS, action: 'DescribeDisks', mutating: false, idempotent: true, ram: 'ecs:DescribeDisks', ramResources: DISK_ARN },
  'ecs.DeleteSnapshot': { ...ECS, action: 'DeleteSnapshot', mutating: true, idempotent: true, ram: 'ecs:DeleteSnapshot', ramResources: SNAPSHOT_ARN },

  // E-HPC 2018-04-12: ListCustomImages is a GET with everything in the query; no paging.
  'ehpc.ListCustomImages': { product: 'ehpc', action: 'ListCustomImages', version: '2018-04-12', method: 'GET', placement: 'query', mutating: false, idempotent: true, ram: 'ehpc:ListCustomImages', ramResources: ALL },

  // E-HPC Instant 2023-07-01: POST, query. RemoveImage deregisters the image from E-HPC Instant.
  'ehpcinstant.RemoveImage': { product: 'ehpcinstant', action: 'RemoveImage', version: '2023-07-01', method: 'POST', placement: 'query', mutating: true, idempotent: true, ram: 'ehpc:RemoveImage', ramResources: ALL },
  // ListExecutors: the images E-HPC Instant jobs run on (Filter is one JSON string, the SDK's "shrink" style).
  'ehpcinstant.ListExecutors': { product: 'ehpcinstant', action: 'ListExecutors', version: '2023-07-01', method: 'POST', placement: 'query', mutating: false, idempotent: true, ram: 'ehpc:ListExecutors', ramResources: ALL },

  // Auto Scaling (ESS) 2014-08-28: RPC, POST, query. The images scaling configurations launch.
  'ess.DescribeScalingConfigurations': { product: 'ess', action: 'DescribeScalingConfigurations', version: '2014-08-28', method: 'POST', placement: 'query', mutating: false, idempotent: true, ram: 'ess:DescribeScalingConfigurations', ramResources: SCALING_GROUP_ARN },

  // WUYING appstream-center 2021-09-01: POST with a form body; ListImage keeps Distro and TagList in the query.
  'appstream.ListImage': { product: 'appstream', action: 'ListImage', version: '2021-09-01', method: 'POST', placement: 'form', queryParams: ['Distro', 'TagList'], mutating: false, idempotent: true, ram: 'appstreaming:ListImage', ramResources: ALL },
  'appstream.DeleteImage': { product: 'appstream', action: 'DeleteImage', version: '2021-09-01', method: 'POST', placement: 'form', mutating: true, idempotent: true, ram: 'appstreaming:DeleteImage', ramResources: ALL },

  // STS 2015-04-01: who the credentials belong to (plan files record the account; apply checks it). No RAM grant needed.
  'sts.GetCallerIdentity': { product: 'sts', action: 'GetCallerIdentity', version: '2015-04-01', method: 'POST', placement: 'query', mutating: false, idempotent: true, ram: null, ramResources: [] },
} as const satisfies Record<string, ActionSpec>;

export type ActionName = keyof typeof ACTIONS;

export const ACTION_NAMES = Object.keys(ACTIONS) as ActionName[];
