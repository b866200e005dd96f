/**
 * The live fleet: what the APIs read and change. Lists are kept in the fleet file's order (for
 * GET /_emulator/state) plus a sorted view and a few cached filter results, so paging through
 * 100,000 images does not sort or filter the whole region on every page. Deletions are spliced out
 * of the cached views; other changes (tags) drop the filter caches only.
 */
import type {
  Behaviour, Fleet, FleetCredential, FleetDisk, FleetExecutor, FleetImage, FleetLaunchTemplate, FleetPipeline, FleetRegion,
  FleetScalingConfiguration, FleetSnapshot, WuyingImage,
} from './fleet.js';
import { parseTime } from './fleet-validate.js';

export const DEFAULT_ACCOUNT_ID = '1234567890123456';
export const DEFAULT_CREDENTIALS: readonly FleetCredential[] = [{ accessKeyId: 'testid', accessKeySecret: 'testsecret' }];

const MAX_CACHED_FILTERS = 16;

/** Newest first, ties by ID ascending: a stable, documented order for every list the emulator pages. */
export function newestFirst<T extends object>(timeOf: (t: T) => string, idOf: (t: T) => string): (a: T, b: T) => number {
  const times = new WeakMap<T, number>();
  const ms = (t: T): number => {
    let v = times.get(t);
    if (v === undefined) times.set(t, (v = parseTime(timeOf(t))));
    return v;
  };
  return (a, b) => ms(b) - ms(a) || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0);
}

export class SortedIndex<T extends object> {
  private readonly byId = new Map<string, T>();
  private sorted: T[] | null = null;
  private readonly filtered = new Map<string, T[]>();

  constructor(
    private readonly idOf: (t: T) => string,
    /** The list order: newest first, ties by ID. */
    readonly compare: (a: T, b: T) => number,
    items: readonly T[] = [],
  ) {
    for (const t of items) this.byId.set(idOf(t), t);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /** In the fleet file's order. */
  values(): T[] {
    return [...this.byId.values()];
  }

  sortedAll(): readonly T[] {
    return (this.sorted ??= [...this.byId.values()].sort(this.compare));
  }

  /** The sorted items matching `pred`; cached under `key` until the next change. */
  filter(key: string, pred: (t: T) => boolean): readonly T[] {
    const hit = this.filtered.get(key);
    if (hit) return hit;
    const result = this.sortedAll().filter(pred);
    if (this.filtered.size >= MAX_CACHED_FILTERS) this.filtered.delete(this.filtered.keys().next().value as string);
    this.filtered.set(key, result);
    return result;
  }

  delete(id: string): T | undefined {
    const item = this.byId.get(id);
    if (!item) return undefined;
    this.byId.delete(id);
    if (this.sorted) this.spliceOut(this.sorted, item);
    for (const list of this.filtered.values()) this.spliceOut(list, item);
    return item;
  }

  /** An item's content changed (not its sort key): cached filter results may be stale. */
  changed(): void {
    this.filtered.clear();
  }

  private spliceOut(list: T[], item: T): void {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(list[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (list[lo] === item) list.splice(lo, 1);
  }
}

export class RegionState {
  readonly images: SortedIndex<FleetImage>;
  readonly pipelines: SortedIndex<FleetPipeline>;
  readonly launchTemplates: FleetLaunchTemplate[];
  readonly scalingConfigurations: FleetScalingConfiguration[];
  /** Snapshots listed explicitly or left behind by DeleteImage, by ID in fleet order. */
  readonly snapshots: Map<string, FleetSnapshot>;
  readonly disks: FleetDisk[];
  readonly executors: FleetExecutor[];

  constructor(
    readonly name: string,
    images: FleetImage[] = [],
    pipelines: FleetPipeline[] = [],
    more: Omit<FleetRegion, 'images' | 'pipelines'> = {},
  ) {
    this.images = new SortedIndex((i) => i.ImageId, newestFirst((i) => i.CreationTime, (i) => i.ImageId), images);
    this.pipelines = new SortedIndex((p) => p.ImagePipelineId, newestFirst((p) => p.CreationTime, (p) => p.ImagePipelineId), pipelines);
    this.launchTemplates = more.launchTemplates ?? [];
    this.scalingConfigurations = more.scalingConfigurations ?? [];
    this.snapshots = new Map((more.snapshots ?? []).map((x) => [x.SnapshotId, x]));
    this.disks = more.disks ?? [];
    this.executors = more.executors ?? [];
  }

  /** The snapshot IDs an image's DiskDeviceMappings name (the default mapping's included). */
  static snapshotIdsOf(img: FleetImage): string[] {
    if (img.DiskDeviceMappings === undefined) return [`s-${img.ImageId.replace(/^m-/, '')}`];
    return img.DiskDeviceMappings.map((d) => d.SnapshotId ?? '').filter((id) => id !== '');
  }

  /** The images (any owner, any status) whose disk mappings name `snapshotId`, in list order. */
  imagesUsingSnapshot(snapshotId: string): FleetImage[] {
    return this.images.sortedAll().filter((i) => RegionState.snapshotIdsOf(i).includes(snapshotId));
  }

  /** The region's fields beyond images and pipelines, for the fleet file; empty ones left out. */
  extraForFleet(): Omit<FleetRegion, 'images' | 'pipelines'> {
    const out: Omit<FleetRegion, 'images' | 'pipelines'> = {};
    if (this.launchTemplates.length > 0) out.launchTemplates = this.launchTemplates;
    if (this.scalingConfigurations.length > 0) out.scalingConfigurations = this.scalingConfigurations;
    if (this.snapshots.size > 0) out.snapshots = [...this.snapshots.values()];
    if (this.disks.length > 0) out.disks = this.disks;
    if (this.executors.length > 0) out.executors = this.executors;
    return out;
  }
}

export class FleetState {
  readonly accountId: string;
  readonly credentials: ReadonlyMap<string, FleetCredential>;
  readonly regions = new Map<string, RegionState>();
  readonly wuying: SortedIndex<WuyingImage>;
  behaviour: Behaviour;
  private readonly credentialList: FleetCredential[] | undefined;

  /** Takes a validated fleet; keeps its own deep copy. */
  constructor(input: Fleet) {
    const fleet = structuredClone(input);
    this.accountId = fleet.accountId ?? DEFAULT_ACCOUNT_ID;
    this.credentialList = fleet.credentials;
    const creds = fleet.credentials && fleet.credentials.length > 0 ? fleet.credentials : DEFAULT_CREDENTIALS;
    this.credentials = new Map(creds.map((c) => [c.accessKeyId, c]));
    for (const [name, r] of Object.entries(fleet.regions)) {
      const { images, pipelines, ...more } = r;
      this.regions.set(name, new RegionState(name, images, pipelines, more));
    }
    this.wuying = new SortedIndex((w) => w.ImageId, newestFirst((w) => w.GmtCreate, (w) => w.ImageId), fleet.wuying?.images ?? []);
    this.behaviour = fleet.behaviour ?? {};
  }

  /** An empty region stands in for one the fleet does not list. */
  region(name: string): RegionState {
    return this.regions.get(name) ?? new RegionState(name);
  }

  /** Finds an image by ID in `region`, or in any region when `region` is ''. */
  findImage(id: string, region: string): { region: RegionState; image: FleetImage } | undefined {
    const candidates = region ? [this.regions.get(region)] : [...this.regions.values()];
    for (const r of candidates) {
      const image = r?.images.get(id);
      if (r && image) return { region: r, image };
    }
    return undefined;
  }

  /** The fleet as it is now, in the fleet-file format (a copy). */
  toFleet(): Fleet {
    const regions: Fleet['regions'] = {};
    for (const [name, r] of this.regions) regions[name] = { images: r.images.values(), pipelines: r.pipelines.values(), ...r.extraForFleet() };
    const fleet: Fleet = { accountId: this.accountId, regions, wuying: { images: this.wuying.values() }, behaviour: this.behaviour };
    if (this.credentialList) fleet.credentials = this.credentialList;
    return structuredClone(fleet);
  }
}
