/**
 * Wider in-use detection for the image kinds (ecs-image, ehpc-image). ECS itself refuses to
 * delete an image instances were created from (Usage=instance, ImageUsingByInstance) or that is
 * shared; nothing refuses an image that only a launch template, an image pipeline, a scaling
 * configuration or an E-HPC Instant job names, and the next launch then fails. So, once per
 * region and run (ListContext.once), the references are gathered and merged into each image's
 * `inUse` fact, whose evidence names them (`launch template lt-x (web) version 3`); the planner
 * turns that fact into the protection `in-use`.
 *
 * Fail closed: a lookup that fails leaves every image of the region with `inUse` unknown, the
 * evidence naming the failed lookup, and the failure is reported for the run (exit status 1).
 * What is looked at and what cannot be: docs/in-use-and-snapshots.md.
 */
import type { CloudApi } from '../cloud/api.js';
import { isCloudError } from '../cloud/errors.js';
import { executorReferences } from './ehpc-executors.js';
import { selfImagesOnce } from './ecs-image.js';
import { fact, isoTime, text, type Raw } from './fields.js';
import { listPipelinesOnce } from './image-pipeline.js';
import { launchTemplateReferences, type Reference } from './launch-templates.js';
import { ListingError } from './paging.js';
import type { KindListing, ListContext } from './resource.js';
import { scalingConfigurationReferences } from './scaling-configurations.js';
import type { Fact, InventoryItem, LookupFailure, ResourceKind, SnapshotRef } from './types.js';

/** The kinds whose items are ECS images, and so can be referenced. */
export const REFERENCED_KINDS: ReadonlySet<ResourceKind> = new Set(['ecs-image', 'ehpc-image']);

export const LOOKUPS = {
  launchTemplates: { lookup: 'launch templates', action: 'DescribeLaunchTemplates/DescribeLaunchTemplateVersions' },
  pipelines: { lookup: 'image pipelines', action: 'DescribeImagePipelines' },
  scaling: { lookup: 'scaling configurations', action: 'DescribeScalingConfigurations' },
  executors: { lookup: 'E-HPC Instant executors', action: 'ListExecutors' },
  families: { lookup: 'image families', action: 'DescribeImages' },
} as const;

export interface RegionReferences {
  readonly region: string;
  /** Image ID → what names it. */
  readonly images: ReadonlyMap<string, readonly string[]>;
  /** Snapshot ID → what names it as a data-disk source. */
  readonly snapshots: ReadonlyMap<string, readonly string[]>;
  /** Lookups that failed: every image of the region is protected as unknown. */
  readonly failures: readonly LookupFailure[];
  /** Noticed on the way (families with no image, lookups skipped and why). */
  readonly notes: readonly string[];
}

function add(map: Map<string, string[]>, ref: Reference): void {
  const list = map.get(ref.target) ?? [];
  if (!list.includes(ref.by)) list.push(ref.by);
  map.set(ref.target, list);
}

function failureOf(region: string, which: { lookup: string; action: string }, e: unknown): LookupFailure {
  const code = isCloudError(e) || e instanceof ListingError ? e.code : 'UnexpectedError';
  const action = isCloudError(e) ? e.action.replace(/^[a-z]+\./, '') : which.action;
  return { region, lookup: which.lookup, action, code, message: e instanceof Error ? e.message : String(e) };
}

/** What a pipeline says about its base image: an image, a family, or (type unknown) both, to be safe. */
function pipelineReferences(raw: Raw): { images: Reference[]; families: Reference[] } {
  const id = text(raw, 'ImagePipelineId') ?? '?';
  const name = text(raw, 'Name');
  const by = `image pipeline ${id}${name === null || name === id ? '' : ` (${name})`} base image`;
  const base = text(raw, 'BaseImage');
  if (base === null) return { images: [], families: [] };
  const type = text(raw, 'BaseImageType');
  if (type === 'IMAGE') return { images: [{ by, target: base }], families: [] };
  if (type === 'IMAGE_FAMILY') return { images: [], families: [{ by: `${by} family`, target: base }] };
  return { images: [{ by: `${by} (BaseImageType ${type ?? 'missing'})`, target: base }], families: [{ by: `${by} family (BaseImageType ${type ?? 'missing'})`, target: base }] };
}

/** The image a family launches: its newest Available image (ECS resolves an ImageFamily that way). */
export function newestOfFamily(images: readonly Raw[], family: string): string | null {
  let best: { id: string; t: string } | null = null;
  for (const raw of images) {
    if (text(raw, 'ImageFamily') !== family || text(raw, 'Status') !== 'Available') continue;
    const id = text(raw, 'ImageId');
    const t = isoTime(raw['CreationTime']);
    if (id === null || t === null) continue;
    if (best === null || t > best.t || (t === best.t && id > best.id)) best = { id, t };
  }
  return best?.id ?? null;
}

/** Gathers every reference in a region. Never throws: a lookup that fails is recorded, and the others still run. */
export async function gatherReferences(api: CloudApi, region: string, ctx: ListContext): Promise<RegionReferences> {
  const images = new Map<string, string[]>();
  const snapshots = new Map<string, string[]>();
  const families: Reference[] = [];
  const failures: LookupFailure[] = [];
  const notes: string[] = [];

  // Concurrently, but merged in a fixed order, so that the evidence reads the same on every run.
  const settle = <T>(p: Promise<T>, which: { lookup: string; action: string }): Promise<T | null> =>
    p.catch((e: unknown) => {
      failures.push(failureOf(region, which, e));
      return null;
    });
  const [templates, pipelines, scaling, executors] = await Promise.all([
    settle(launchTemplateReferences(api, region), LOOKUPS.launchTemplates),
    settle(listPipelinesOnce(api, region, ctx), LOOKUPS.pipelines),
    settle(scalingConfigurationReferences(api, region), LOOKUPS.scaling),
    settle(executorReferences(api, region), LOOKUPS.executors),
  ]);
  if (templates !== null) {
    for (const ref of templates.images) add(images, ref);
    for (const ref of templates.snapshots) add(snapshots, ref);
    notes.push(...templates.warnings);
  }
  if (pipelines !== null) {
    for (const raw of pipelines.items) {
      const r = pipelineReferences(raw);
      for (const ref of r.images) add(images, ref);
      families.push(...r.families);
    }
  }
  if (scaling !== null) {
    for (const ref of scaling.images) add(images, ref);
    for (const ref of scaling.snapshots) add(snapshots, ref);
    families.push(...scaling.families);
    notes.push(...scaling.warnings);
  }
  if (executors !== null) {
    for (const ref of executors.images) add(images, ref);
    notes.push(...executors.warnings);
    if (executors.skipped !== null) notes.push(`E-HPC Instant jobs not looked up: ${executors.skipped}`);
  }

  if (families.length > 0) {
    // A family names whichever image is newest when the launch happens: today, the newest Available one.
    try {
      const own = await selfImagesOnce(api, region, ctx);
      // Many configurations and pipelines name the same few families: one scan of the region each.
      const newest = new Map<string, string | null>();
      for (const ref of families) {
        if (!newest.has(ref.target)) newest.set(ref.target, newestOfFamily(own.items, ref.target));
        const id = newest.get(ref.target) ?? null;
        if (id === null) notes.push(`${ref.by} ${ref.target} has no Available image in ${region}`);
        else add(images, { by: `${ref.by} ${ref.target} (its newest Available image)`, target: id });
      }
    } catch (e) {
      failures.push(failureOf(region, LOOKUPS.families, e));
    }
  }
  failures.sort((a, b) => a.lookup.localeCompare(b.lookup));
  return { region, images, snapshots, failures, notes };
}

export function referencesOnce(api: CloudApi, region: string, ctx: ListContext): Promise<RegionReferences> {
  return ctx.once(`image-gc.references:${region}`, () => gatherReferences(api, region, ctx));
}

const MAX_NAMED = 3;

function listed(what: readonly string[]): string {
  if (what.length <= MAX_NAMED) return what.join('; ');
  return `${what.slice(0, MAX_NAMED).join('; ')}; and ${what.length - MAX_NAMED} more`;
}

/**
 * The image's inUse fact with the region's references merged in. Known use wins (any source says
 * it is used: true, every source named); else a failed lookup makes it unknown; else the API's own
 * Usage stands, its evidence saying what else was looked at.
 */
export function mergeInUse(item: Pick<InventoryItem, 'id' | 'inUse'>, refs: RegionReferences): Fact {
  const named = refs.images.get(item.id) ?? [];
  if (named.length > 0) {
    const evidence = `named by ${listed(named)}`;
    return fact(true, item.inUse.value === true ? `${item.inUse.evidence}; ${evidence}` : evidence);
  }
  if (refs.failures.length > 0) {
    const failed = refs.failures.map((f) => `${f.lookup} lookup failed (${f.action}: ${f.code})`).join('; ');
    return fact(item.inUse.value === true ? true : null, `${item.inUse.value === true ? `${item.inUse.evidence}; ` : ''}${failed}: cannot tell whether something else uses it`);
  }
  if (item.inUse.value !== false) return item.inUse;
  return fact(false, `${item.inUse.evidence}; no launch template, image pipeline, scaling configuration or E-HPC Instant job names it`);
}

function withSnapshotReferences(snapshots: readonly SnapshotRef[] | undefined, refs: RegionReferences): SnapshotRef[] | undefined {
  if (snapshots === undefined) return undefined;
  return snapshots.map((s) => {
    const by = refs.snapshots.get(s.id);
    return by === undefined || by.length === 0 ? s : { ...s, referencedBy: [...by] };
  });
}

/** An image item with the region's references merged in (inUse, and its snapshots' referencedBy). */
export function withReferences(item: InventoryItem, refs: RegionReferences): InventoryItem {
  if (!REFERENCED_KINDS.has(item.kind)) return item;
  const snapshots = withSnapshotReferences(item.snapshots, refs);
  return { ...item, inUse: mergeInUse(item, refs), ...(snapshots !== undefined && { snapshots }) };
}

/**
 * Starts gathering the region's references for an image kind, alongside its listing, so that the
 * lookups do not wait for the listing (nor add their time to it). Null for other kinds.
 */
export function startReferences(api: CloudApi, kind: ResourceKind, region: string, ctx: ListContext): Promise<RegionReferences> | null {
  return REFERENCED_KINDS.has(kind) ? referencesOnce(api, region, ctx) : null;
}

/** A kind's listing with the region's references (from startReferences) merged into every image. */
export async function applyReferences(
  listing: KindListing,
  references: Promise<RegionReferences> | null,
): Promise<KindListing & { readonly lookupFailures: readonly LookupFailure[] }> {
  if (references === null) return { ...listing, lookupFailures: [] };
  const refs = await references;
  return {
    items: listing.items.map((i) => withReferences(i, refs)),
    warnings: [...listing.warnings, ...refs.notes],
    lookupFailures: refs.failures,
  };
}
