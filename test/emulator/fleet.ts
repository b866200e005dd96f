/**
 * The fleet file format (shared/spec/emulator-and-cli.md, "The fleet file") and the call-log record.
 *
 * Field names follow the cloud API's own where there is one (ImageId, CreationTime, ...); the
 * lower-case fields (usedByInstances, sharedWith, busy, ehpc, answer, ...) are emulator knobs that
 * decide how the APIs answer. Everything here is plain JSON so GET /_emulator/state can return it.
 * Validation lives in fleet-validate.ts; the mutable in-memory form in state.ts.
 */

export type Product = 'ecs' | 'ehpc' | 'ehpcinstant' | 'appstream' | 'sts' | 'ess';

export const IMAGE_STATUSES = ['Creating', 'Waiting', 'Available', 'UnAvailable', 'CreateFailed', 'Deprecated'] as const;
export type ImageStatus = (typeof IMAGE_STATUSES)[number];

export const OWNER_ALIASES = ['self', 'others', 'system', 'marketplace'] as const;
export type OwnerAlias = (typeof OWNER_ALIASES)[number];

export const BUSY_KINDS = ['copying', 'importing', 'exporting', 'creating'] as const;
export type BusyKind = (typeof BUSY_KINDS)[number];

export const EXECUTION_STATUSES = [
  'PREPARING', 'REPAIRING', 'BUILDING', 'TESTING', 'DISTRIBUTING', 'RELEASING',
  'SUCCESS', 'PARTITION_SUCCESS', 'FAILED', 'TEST_FAILED', 'CANCELLING', 'CANCELLED',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
/** DeleteImagePipeline is allowed only when every execution is in one of these (seed 002). */
export const TERMINAL_EXECUTION_STATUSES: readonly ExecutionStatus[] = ['SUCCESS', 'FAILED', 'TEST_FAILED', 'PARTITION_SUCCESS', 'CANCELLED'];

export const FAULT_KINDS = ['ServiceUnavailable', 'Throttling', 'reset', 'timeout', 'malformed'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Merged into an item's API representation; `null` deletes the field (hostile-answer tests). */
export type AnswerOverride = Record<string, unknown>;

export interface FleetCredential {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS: when set, every request signed with this key must carry exactly this token. */
  securityToken?: string;
}

export interface FleetDiskDeviceMapping {
  Device?: string;
  Size?: number | string;
  SnapshotId?: string;
  Type?: string;
}

export interface FleetEhpc {
  /** E-HPC OS tag, e.g. CentOS_7.2_64; Platform/Version are derived from it unless given. */
  osTag?: string;
  baseOsTag?: string;
  platform?: string;
  version?: string;
  /** E-HPC Instant knows the image (RemoveImage / ListImages). Default false. */
  instantRegistered?: boolean;
  /** RemoveImage answers 403 ImageInUse. Default false. */
  usedByJobs?: boolean;
  /** E-HPC Instant image type the image is registered as. Default VM. */
  imageType?: 'VM' | 'Container';
  /** E-HPC Instant ListImages CreateTime; default the image's CreationTime. */
  registeredAt?: string;
  /** Overrides for the ListCustomImages ImageInfo item. */
  answer?: AnswerOverride;
  /** Overrides for the E-HPC Instant ListImages item. */
  instantAnswer?: AnswerOverride;
}

export interface FleetSharedAccount {
  AliyunId: string;
  SharedTime?: string;
}

export interface FleetImage {
  ImageId: string;
  /** ISO 8601, e.g. 2026-01-01T00:00:00Z. Required. */
  CreationTime: string;
  ImageName?: string;
  Description?: string;
  Status?: ImageStatus;
  Size?: number;
  ImageFamily?: string;
  ImageOwnerAlias?: OwnerAlias;
  ImageOwnerId?: number;
  OSType?: string;
  OSName?: string;
  Platform?: string;
  Architecture?: string;
  IsCopied?: boolean;
  Progress?: string;
  Tags?: Record<string, string>;
  DiskDeviceMappings?: FleetDiskDeviceMapping[];
  /** > 0: Usage=instance, and DeleteImage without Force answers ImageUsingByInstance. */
  usedByInstances?: number;
  /** Account IDs (or {AliyunId, SharedTime}) the image is shared with: DeleteImage answers ImageUseShared. */
  sharedWith?: Array<string | FleetSharedAccount>;
  /** Published as a community image: DeleteImage answers ImageIsPublic. */
  isPublic?: boolean;
  busy?: BusyKind | null;
  /** Present: E-HPC ListCustomImages returns the image. */
  ehpc?: FleetEhpc;
  answer?: AnswerOverride;
}

export interface FleetExecution {
  ExecutionId: string;
  Status: ExecutionStatus;
  CreationTime: string;
  ModifiedTime?: string;
  ImageId?: string;
  Message?: string;
  Tags?: Record<string, string>;
  answer?: AnswerOverride;
}

export interface FleetPipeline {
  ImagePipelineId: string;
  CreationTime: string;
  Name?: string;
  Description?: string;
  BaseImageType?: string;
  BaseImage?: string;
  ImageName?: string;
  ImageFamily?: string;
  Tags?: Record<string, string>;
  executions?: FleetExecution[];
  answer?: AnswerOverride;
}

/** A data disk of a launch template version or scaling configuration (its source snapshot is a reference). */
export interface FleetDataDisk {
  SnapshotId?: string;
  Size?: number;
  Category?: string;
  Device?: string;
}

export interface FleetLaunchTemplateVersion {
  VersionNumber: number;
  /** The image the version launches; absent: it names none. */
  ImageId?: string;
  DataDisks?: FleetDataDisk[];
  VersionDescription?: string;
  /** ISO 8601; default the template's CreateTime. */
  CreateTime?: string;
  /** Overrides for the DescribeLaunchTemplateVersions item. */
  answer?: AnswerOverride;
}

export interface FleetLaunchTemplate {
  LaunchTemplateId: string;
  LaunchTemplateName?: string;
  /** ISO 8601; default 2026-01-01T00:00:00Z. */
  CreateTime?: string;
  /** Default: the lowest version number. */
  DefaultVersionNumber?: number;
  versions?: FleetLaunchTemplateVersion[];
  /** Overrides for the DescribeLaunchTemplates item. */
  answer?: AnswerOverride;
}

export interface FleetScalingConfiguration {
  ScalingConfigurationId: string;
  ScalingGroupId: string;
  ScalingConfigurationName?: string;
  ImageId?: string;
  ImageFamily?: string;
  /** Active (default) or Inactive. */
  LifecycleState?: 'Active' | 'Inactive';
  /** ISO 8601; default 2026-01-01T00:00:00Z. */
  CreationTime?: string;
  DataDisks?: FleetDataDisk[];
  answer?: AnswerOverride;
}

/**
 * An ECS snapshot the fleet lists explicitly. Snapshots named by an image's DiskDeviceMappings
 * exist without being listed while the image does; DeleteImage leaves them here.
 */
export interface FleetSnapshot {
  SnapshotId: string;
  SnapshotName?: string;
  /** GiB, the source disk's size. Default 40. */
  SourceDiskSize?: number;
  /** ISO 8601; default 2026-01-01T00:00:00Z. */
  CreationTime?: string;
  /** Shared with another account: DeleteSnapshot answers InvalidOperation.DeleteSharedSnapshotUnsupported. */
  shared?: boolean;
  answer?: AnswerOverride;
}

export interface FleetDisk {
  DiskId: string;
  /** The snapshot the disk was created from: DeleteSnapshot (Force=false) answers SnapshotCreatedDisk. */
  SourceSnapshotId?: string;
  Size?: number;
  /** Default In_use. */
  Status?: string;
  /** system or data (default data). */
  Type?: string;
  InstanceId?: string;
  answer?: AnswerOverride;
}

/** An E-HPC Instant executor (ListExecutors); one that is not finished also makes RemoveImage answer ImageInUse. */
export interface FleetExecutor {
  ExecutorId: string;
  Image: string;
  /** Pending, Initing, Running, Succeeded, Failed, Exception, Retrying, Expired, Suspended, Restarting, Deleted, Deleting. */
  Status: string;
  JobId?: string;
  JobName?: string;
  TaskName?: string;
  /** 'YYYY-MM-DD HH:mm:ss' or ISO 8601; default 2026-01-01 00:00:00. */
  CreateTime?: string;
  answer?: AnswerOverride;
}

export const EXECUTOR_STATUSES = [
  'Pending', 'Initing', 'Running', 'Succeeded', 'Failed', 'Exception', 'Retrying', 'Expired', 'Suspended', 'Restarting', 'Deleted', 'Deleting',
] as const;
/** Executor states that are over: the executor no longer holds its image. */
export const FINISHED_EXECUTOR_STATUSES: readonly string[] = ['Succeeded', 'Failed', 'Expired', 'Deleted'];

export interface FleetRegion {
  images?: FleetImage[];
  pipelines?: FleetPipeline[];
  launchTemplates?: FleetLaunchTemplate[];
  scalingConfigurations?: FleetScalingConfiguration[];
  snapshots?: FleetSnapshot[];
  disks?: FleetDisk[];
  executors?: FleetExecutor[];
}

export interface WuyingImage {
  ImageId: string;
  /** 'YYYY-MM-DD HH:mm:ss' as the API prints it (ISO 8601 is accepted too). Required. */
  GmtCreate: string;
  GmtModified?: string;
  ImageName?: string;
  Description?: string;
  /** AVAILABLE, INIT, CREATE_FAILED, CREATING. Default AVAILABLE. */
  Status?: string;
  /** User, Shared, System, Community. Default User. */
  ImageType?: string;
  /** CloudDesktop, CloudApp, WuyingServer. Default CloudApp. */
  ProductType?: string;
  OsType?: string;
  PlatformName?: string;
  /** Used by cloud computers: DeleteImage answers ImageNotAllowDelete. */
  inUse?: boolean;
  /** Has shared images: DeleteImage answers ImageDeleteFailed.HasSharedImage. */
  shared?: boolean;
  answer?: AnswerOverride;
}

export interface Faults {
  /** Probability 0..1 that an API request gets a fault. */
  rate: number;
  kinds: FaultKind[];
  /** PRNG seed; default 1. The same seed and request order give the same faults. */
  seed?: number;
  /** Limit faults to these actions (bare `DeleteImage` or qualified `appstream.DeleteImage`). */
  actions?: string[];
  /** HTTP status of a `malformed` answer: 200 (default) or 502; the body is an HTML page either way. */
  malformedStatus?: 200 | 502;
  /** x-acs-retry-after on a `Throttling` fault, ms. Default 100. */
  throttleRetryAfterMs?: number;
}

export interface PagingAnomalies {
  duplicateAcrossPages?: boolean;
  lyingTotalCount?: boolean;
  emptyPageBeforeEnd?: boolean;
  hugePage?: boolean;
  /** Token-paged APIs: omit NextToken on the last page instead of sending "". */
  omitFinalNextToken?: boolean;
}

/** A scripted error answer, e.g. E-HPC's 406 EcsError or 407 NotAuthorized. */
export interface InjectedError {
  /** Bare action name or product-qualified (`ehpcinstant.RemoveImage`). */
  action: string;
  status: number;
  code: string;
  message?: string;
  /** Only in this region. */
  region?: string;
  /** Only when every listed (flattened) parameter has this value. */
  params?: Record<string, string>;
  /** How many more requests get it; absent = every matching request. */
  times?: number;
}

export interface Behaviour {
  /** Quota per region and action; key `default`, an action name or `product.Action`. Absent = no limit. */
  qps?: Record<string, number>;
  /** Delay before every answer: a number, or `{ default, <action> }`. */
  latencyMs?: number | Record<string, number>;
  faults?: Faults;
  /** ECS DeleteImage on a missing image: 404 InvalidImageId.NotFound ('error', default) or 200 ('ignore'). */
  deleteMissingImage?: 'error' | 'ignore';
  /** ECS DeleteSnapshot on a missing snapshot: 404 InvalidSnapshotId.NotFound ('error', default) or 200 ('ignore'); the docs say both. */
  deleteMissingSnapshot?: 'error' | 'ignore';
  paging?: PagingAnomalies;
  errors?: InjectedError[];
  // --- Guessed behaviour, selectable (README "Behaviour I had to guess") ---
  /** DeleteImage Force=true also deletes a shared image. Default false (ImageUseShared even with Force). */
  forceDeletesSharedImage?: boolean;
  /** DescribeImages with ImageId but no Status lists every status. Default false (Available only, as without ImageId). */
  imageIdListsAllStatuses?: boolean;
  /** ECS call for a region the fleet does not list: 'empty' (default, an empty region) or 'error' (404 InvalidRegionId.NotFound). */
  unknownRegion?: 'empty' | 'error';
  /** Allowed clock difference for x-acs-date / Timestamp, minutes. Default 15. */
  timestampWindowMinutes?: number;
}

export interface Fleet {
  accountId?: string;
  credentials?: FleetCredential[];
  regions: Record<string, FleetRegion>;
  wuying?: { images?: WuyingImage[] };
  behaviour?: Behaviour;
}

/** One API request as the emulator saw it (GET /_emulator/calls). */
export interface EmulatorCall {
  action: string;
  version: string;
  /** From RegionId, else the host name, else ''. */
  region: string;
  /** Business parameters, flattened as on the wire (`Tag.1.Key`): query ∪ form body minus the V1 common ones. */
  params: Record<string, string>;
  /** HTTP status; 0 when the connection was reset or never answered. */
  status: number;
  /** Error code; null on success; 'reset' / 'timeout' / 'malformed' for those faults. */
  code: string | null;
  signature: 'v3' | 'v1' | null;
  /** ms since the emulator started. */
  t: number;
  product: Product | null;
  /** A fault was injected into this request. */
  fault?: FaultKind;
  /** For a lossy fault on a mutating call: whether the effect happened before the answer was lost. */
  applied?: boolean;
}
