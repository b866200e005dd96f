/**
 * The inventory: every listed resource as one normalised record, whatever API it came from.
 *
 * Inventory modules turn API answers into facts; the planner turns facts and the policy into
 * decisions. A fact the module could not establish is `null` (unknown), and the planner treats
 * unknown as the unsafe answer (fail closed). Every fact says where it came from, so the audit
 * log can show the evidence behind a protection.
 */

export const RESOURCE_KINDS = ['ehpc-image', 'ecs-image', 'wuying-image', 'image-pipeline'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Kinds whose items can carry tags we write (the grace mark). */
export const TAGGABLE_KINDS: readonly ResourceKind[] = ['ehpc-image', 'ecs-image'];

/** A yes/no fact about an item, with the evidence for it. `value: null` means it could not be established. */
export interface Fact {
  readonly value: boolean | null;
  /** Short, log-friendly: `Usage=instance`, `IsSelfShared missing from DescribeImages`. */
  readonly evidence: string;
}

export interface SnapshotRef {
  readonly id: string;
  readonly sizeGiB: number | null;
  /**
   * What else names this snapshot as a disk source (a launch template version's or a scaling
   * configuration's data disk), from the region's in-use references; such a snapshot is never
   * deleted with the image. Absent when nothing does.
   */
  readonly referencedBy?: readonly string[];
}

export interface PipelineExecution {
  readonly id: string;
  readonly status: string | null;
  readonly createdAt: string | null;
  readonly modifiedAt: string | null;
}

export interface InventoryItem {
  readonly kind: ResourceKind;
  /** Region ID; for wuying-image, the appstream-center endpoint region it was listed from. */
  readonly region: string;
  readonly id: string;
  readonly name: string;
  /** ISO-8601 UTC, or null when the API gave none or one that cannot be parsed. */
  readonly createdAt: string | null;
  /** The creation time exactly as the API gave it, for the log. */
  readonly createdAtRaw: string | null;
  readonly status: string | null;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Why the API's tags could not be read, when they could not: the keep tag may be among them,
   * so the planner protects the item (reason `tag`).
   */
  readonly tagsProblem?: string | null;
  /** ECS ImageFamily (ecs-image, ehpc-image). */
  readonly family: string | null;
  /** E-HPC OsTag (ehpc-image). */
  readonly osTag: string | null;
  /** WUYING ProductType (wuying-image). */
  readonly productType: string | null;
  readonly sizeGiB: number | null;

  /** The account owns it (ImageOwnerAlias=self, WUYING ImageType=User). */
  readonly owned: Fact;
  /** Something uses it (instances, for ECS images). */
  readonly inUse: Fact;
  /** Shared with other accounts. */
  readonly shared: Fact;
  /** Public or community image. */
  readonly isPublic: Fact;
  /** At rest: not creating, waiting, copying, importing, exporting; for pipelines, no execution running. */
  readonly atRest: Fact;

  /** image-pipeline: newest of the pipeline's creation and its executions' creation/modification times. */
  readonly lastActivityAt?: string | null;
  /** image-pipeline: its executions, newest first. */
  readonly executions?: readonly PipelineExecution[];
  /** ecs-image, ehpc-image: the snapshots behind the image (DiskDeviceMappings). */
  readonly snapshots?: readonly SnapshotRef[];

  /** What the inventory noticed but could not resolve; logged with the decision. */
  readonly warnings: readonly string[];
  /** The API's own fields, kept for the log. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Stable key of an item across inventory, plan and sweep. */
export function itemKey(item: { kind: ResourceKind; region: string; id: string }): string {
  return `${item.kind}/${item.region}/${item.id}`;
}

/** One kind or region whose listing failed: nothing of it may be deleted in this run. */
export interface ListingFailure {
  readonly kind: ResourceKind;
  readonly region: string;
  readonly code: string;
  readonly message: string;
}

/**
 * One in-use lookup (launch templates, image pipelines, scaling configurations, E-HPC Instant
 * executors, image families) that failed in a region: every image of that region is protected
 * (inUse unknown) in this run, and the run reports it (exit status 1).
 */
export interface LookupFailure {
  readonly region: string;
  /** `launch templates`, `image pipelines`, `scaling configurations`, `E-HPC Instant executors`, `image families`. */
  readonly lookup: string;
  readonly action: string;
  readonly code: string;
  readonly message: string;
}

export interface Inventory {
  readonly items: readonly InventoryItem[];
  /** Kind and region pairs that were listed completely. */
  readonly listed: ReadonlyArray<{ readonly kind: ResourceKind; readonly region: string; readonly count: number }>;
  readonly failures: readonly ListingFailure[];
  /** In-use lookups that failed (see LookupFailure); absent or empty when none did. */
  readonly lookupFailures?: readonly LookupFailure[];
}
