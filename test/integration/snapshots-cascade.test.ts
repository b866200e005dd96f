/**
 * The snapshot cascade end to end against the emulator: under deleteSnapshots, a deleted image's
 * snapshots go too unless another image, a disk or a launch template still uses them; ECS's
 * refusals are logged and never change the image's outcome; the plan (dry run) shows which
 * snapshots would go and the GiB and money they hold; the summary reports images and snapshots
 * apart.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator, Fleet, FleetImage } from '../emulator/index.js';
import { cli, emulatorWith, envFor, idsIn, mutatingCalls, tempDir, writePolicy } from '../support/e2e.js';
import { E2E_NOW, ago } from '../support/fleets.js';

const NOW = E2E_NOW.toISOString();
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const R = 'cn-hangzhou';
const image = (id: string, days: number, snapshots: Array<[string, number]>, extra: Partial<FleetImage> = {}): FleetImage => ({
  ImageId: id,
  ImageName: `build-${id}`,
  CreationTime: ago(days),
  Size: snapshots[0]?.[1] ?? 40,
  DiskDeviceMappings: snapshots.map(([SnapshotId, Size], i) => ({ SnapshotId, Size, Device: `/dev/xvd${'abc'[i]}`, Type: i === 0 ? 'system' : 'data' })),
  ...extra,
});

function policy(extra = '', deleteSnapshots = true): string {
  return `version: 1
mode: enforce
regions: [${R}]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 }
rules:
  - name: builds
    resource: ecs-image
    match: { name: "build-*" }
    keep: {}
    deleteSnapshots: ${deleteSnapshots}
${extra}`;
}

function fleet(): Fleet {
  return {
    regions: {
      [R]: {
        images: [
          image('m-free', 90, [['s-free-sys', 40], ['s-free-data', 100]]),
          image('m-shares', 80, [['s-shared', 50]]),
          image('m-disk', 70, [['s-disk', 60]]),
          image('m-lt', 60, [['s-lt', 30]]),
          // Not matched: keeps its snapshot s-shared in use.
          image('m-keeper', 10, [['s-shared', 50]], { ImageName: 'golden' }),
        ],
        disks: [{ DiskId: 'd-fromsnap', SourceSnapshotId: 's-disk' }],
        launchTemplates: [{ LaunchTemplateId: 'lt-data', versions: [{ VersionNumber: 1, DataDisks: [{ SnapshotId: 's-lt', Size: 30 }] }] }],
      },
    },
  };
}

type Line = Record<string, unknown>;
const readLog = (file: string): Line[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
const snapshotsLeft = (e: Emulator) => new Set((e.state().regions[R]?.snapshots ?? []).map((s) => s.SnapshotId));

describe('the snapshot cascade', () => {
  it('deletes free snapshots; keeps the ones another image, a disk or a launch template uses; logs each', async () => {
    emu = await emulatorWith(fleet());
    const env = envFor(emu);
    const file = writePolicy(tempDir(), policy());
    const log = `${tempDir()}/audit.jsonl`;
    const r = await cli(['run', '--policy', file, '--now', NOW, '--log', log], env);
    expect(r.code, r.stdout).toBe(0);

    expect([...idsIn(emu.state())]).toEqual(['m-keeper']);
    const left = snapshotsLeft(emu);
    expect(left.has('s-free-sys') || left.has('s-free-data')).toBe(false);
    // Left behind by DeleteImage, kept by the cascade:
    expect(left.has('s-disk')).toBe(true);
    expect(left.has('s-lt')).toBe(true);
    expect(left.has('s-shared')).toBe(true);
    expect(mutatingCalls(emu.calls()).filter((c) => c.action === 'DeleteSnapshot').map((c) => c.params['SnapshotId']).sort()).toEqual(['s-free-data', 's-free-sys']);
    for (const c of mutatingCalls(emu.calls()).filter((x) => x.action === 'DeleteSnapshot')) expect(c.params['Force']).toBe('false');

    const lines = readLog(log);
    const outcomes = lines.filter((l) => l['event'] === 'snapshot.outcome');
    const bySnapshot = Object.fromEntries(outcomes.map((o) => [o['snapshotId'], o]));
    expect(bySnapshot['s-free-sys']).toMatchObject({ imageId: 'm-free', outcome: 'deleted', sizeGiB: 40, gibReclaimed: 40, rule: 'builds' });
    expect(bySnapshot['s-free-data']).toMatchObject({ imageId: 'm-free', outcome: 'deleted', sizeGiB: 100 });
    expect(bySnapshot['s-shared']).toMatchObject({ imageId: 'm-shares', outcome: 'kept', detail: 'image m-keeper uses it' });
    expect(bySnapshot['s-disk']).toMatchObject({ imageId: 'm-disk', outcome: 'kept', detail: 'disk d-fromsnap was created from it' });
    expect(bySnapshot['s-lt']).toMatchObject({ imageId: 'm-lt', outcome: 'kept' });
    expect(String(bySnapshot['s-lt']!['detail'])).toMatch(/named by launch template lt-data version 1 \(default\) data disk/);

    const finish = lines.find((l) => l['event'] === 'run.finish')!;
    expect(finish['storage']).toMatchObject({
      imagesDeleted: 4,
      imageGiB: 40 + 50 + 60 + 30,
      snapshotsDeleted: 2,
      snapshotGiB: 140,
      plannedSnapshots: 2,
      plannedSnapshotGiB: 140,
      plannedSnapshotsKept: 3,
      pricePerGiBMonth: 0.0173,
      currency: 'USD',
      priceSource: 'default',
      estimatedMonthlySaving: 2.42,
    });
    expect(finish['snapshotOutcomes']).toMatchObject({ deleted: 2, kept: 3, refused: 0, failed: 0 });
    expect(r.stdout).toMatch(/reclaimed: images 180 GiB \(4 deleted; nominal: an image frees no storage by itself\), snapshots 140 GiB \(2 deleted\)/);
    expect(r.stdout).toMatch(/estimated saving: 2\.42 USD\/month \(0\.0173 USD\/GiB-month, default placeholder price/);
  });

  it('a dry run (plan) shows which snapshots would go, their GiB and the saving at the policy price', async () => {
    emu = await emulatorWith(fleet());
    const file = writePolicy(tempDir(), policy('costs: { snapshotPricePerGiBMonth: 0.12, currency: CNY }\n'));
    const r = await cli(['plan', '--policy', file, '--json', '--now', NOW], envFor(emu));
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as {
      items: Array<{ id: string; decision: string; snapshots?: Array<{ id: string; sizeGiB: number; action: string; detail: string }> }>;
      summary: { storage: Record<string, unknown> };
    };
    const free = plan.items.find((i) => i.id === 'm-free')!;
    expect(free.snapshots).toEqual([
      { id: 's-free-sys', sizeGiB: 40, action: 'delete', detail: 'nothing else uses it' },
      { id: 's-free-data', sizeGiB: 100, action: 'delete', detail: 'nothing else uses it' },
    ]);
    expect(plan.items.find((i) => i.id === 'm-disk')!.snapshots).toEqual([{ id: 's-disk', sizeGiB: 60, action: 'keep', detail: 'disk d-fromsnap was created from it' }]);
    expect(plan.items.find((i) => i.id === 'm-keeper')!.snapshots).toBeUndefined();
    expect(plan.summary.storage).toMatchObject({
      plannedImages: 4,
      plannedSnapshots: 2,
      plannedSnapshotGiB: 140,
      plannedSnapshotsKept: 3,
      pricePerGiBMonth: 0.12,
      currency: 'CNY',
      priceSource: 'policy',
      plannedMonthlySaving: 16.8,
    });
    expect(mutatingCalls(emu.calls())).toEqual([]);

    const human = await cli(['plan', '--policy', file, '--now', NOW], envFor(emu));
    expect(human.stdout).toMatch(/snapshots of m-free: s-free-sys \(40 GiB\) would be deleted; s-free-data \(100 GiB\) would be deleted/);
    expect(human.stdout).toMatch(/snapshots of m-shares: s-shared \(50 GiB\) kept: image m-keeper uses it/);
    expect(human.stdout).toMatch(/4 images \(180 GiB nominal, frees nothing by itself\); 2 snapshots would go \(140 GiB\): about 16\.8 CNY\/month at 0\.12 CNY\/GiB-month \(policy price\)/);
  });

  it('DeleteSnapshot refused is logged with its code; the image is still deleted and the run exits 0', async () => {
    const f = fleet();
    f.regions[R]!.snapshots = [{ SnapshotId: 's-sharedout', shared: true, SourceDiskSize: 20 }];
    f.regions[R]!.images = [image('m-out', 50, [['s-sharedout', 20]]), image('m-free', 90, [['s-free-sys', 40]])];
    f.behaviour = { errors: [{ action: 'DeleteSnapshot', status: 403, code: 'SnapshotCreatedDisk', params: { SnapshotId: 's-free-sys' } }] };
    emu = await emulatorWith(f);
    const log = `${tempDir()}/audit.jsonl`;
    const r = await cli(['run', '--policy', writePolicy(tempDir(), policy()), '--now', NOW, '--log', log], envFor(emu));
    expect(r.code, r.stdout).toBe(0);
    const lines = readLog(log);
    const images = Object.fromEntries(lines.filter((l) => l['event'] === 'item.outcome').map((o) => [o['id'], o['outcome']]));
    expect(images).toEqual({ 'm-out': 'deleted', 'm-free': 'deleted' });
    const snaps = lines.filter((l) => l['event'] === 'snapshot.outcome');
    expect(snaps).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ snapshotId: 's-sharedout', outcome: 'refused', code: 'InvalidOperation.DeleteSharedSnapshotUnsupported', level: 'warn', httpStatus: 403 }),
        expect.objectContaining({ snapshotId: 's-free-sys', outcome: 'refused', code: 'SnapshotCreatedDisk', gibReclaimed: 0 }),
      ]),
    );
    expect(snapshotsLeft(emu)).toEqual(new Set(['s-sharedout', 's-free-sys']));
    expect(lines.find((l) => l['event'] === 'run.finish')!['storage']).toMatchObject({ snapshotsDeleted: 0, snapshotGiB: 0, estimatedMonthlySaving: 0 });
  });

  it('a DeleteSnapshot that fails after retries is logged as failed and the run exits 1; the image stays deleted', async () => {
    const f = fleet();
    f.regions[R]!.images = [image('m-free', 90, [['s-free-sys', 40]])];
    f.behaviour = { errors: [{ action: 'DeleteSnapshot', status: 403, code: 'Forbidden.RAM' }] };
    emu = await emulatorWith(f);
    const log = `${tempDir()}/audit.jsonl`;
    const r = await cli(['run', '--policy', writePolicy(tempDir(), policy()), '--now', NOW, '--log', log], envFor(emu));
    expect(r.code).toBe(1);
    const lines = readLog(log);
    expect(lines.find((l) => l['event'] === 'item.outcome')).toMatchObject({ id: 'm-free', outcome: 'deleted' });
    expect(lines.find((l) => l['event'] === 'snapshot.outcome')).toMatchObject({ snapshotId: 's-free-sys', outcome: 'failed', code: 'Forbidden.RAM', level: 'error' });
    expect(idsIn(emu.state()).has('m-free')).toBe(false);
  });

  it('two images sharing a snapshot, both deleted: the snapshot goes once the last one is gone', async () => {
    const f = fleet();
    f.regions[R]!.images = [image('m-twin1', 90, [['s-twin', 40]]), image('m-twin2', 80, [['s-twin', 40]])];
    emu = await emulatorWith(f);
    const file = writePolicy(tempDir(), policy().replace('maxDeletionPercent: 100 }', 'maxDeletionPercent: 100, concurrency: 1 }'));
    const plan = JSON.parse((await cli(['plan', '--policy', file, '--json', '--now', NOW], envFor(emu))).stdout) as { items: Array<{ snapshots?: Array<{ action: string }> }> };
    // Before the run, each twin holds the other's snapshot in use: the plan counts it kept (conservative).
    expect(plan.items.flatMap((i) => i.snapshots ?? []).map((s) => s.action)).toEqual(['keep', 'keep']);
    const log = `${tempDir()}/audit.jsonl`;
    const r = await cli(['run', '--policy', file, '--now', NOW, '--log', log], envFor(emu));
    expect(r.code).toBe(0);
    const snaps = readLog(log).filter((l) => l['event'] === 'snapshot.outcome').map((o) => [o['imageId'], o['outcome']]);
    expect(snaps).toEqual([
      ['m-twin1', 'kept'],
      ['m-twin2', 'deleted'],
    ]);
    expect(snapshotsLeft(emu).has('s-twin')).toBe(false);
  });

  it('without deleteSnapshots the snapshots stay, and no snapshot API is called', async () => {
    emu = await emulatorWith(fleet());
    const r = await cli(['run', '--policy', writePolicy(tempDir(), policy('', false)), '--now', NOW, '--log', `${tempDir()}/a.jsonl`], envFor(emu));
    expect(r.code).toBe(0);
    expect(emu.calls().some((c) => c.action === 'DeleteSnapshot' || c.action === 'DescribeDisks')).toBe(false);
    // DeleteImage leaves every snapshot behind (s-shared is also still m-keeper's).
    expect(snapshotsLeft(emu)).toEqual(new Set(['s-free-sys', 's-free-data', 's-shared', 's-disk', 's-lt']));
    expect(r.stdout).toMatch(/snapshots 0 GiB \(0 deleted\)/);
  });

  it('ehpc-image: RemoveImage, DeleteImage, then the snapshots', async () => {
    emu = await emulatorWith({ regions: { [R]: { images: [image('m-hpc', 90, [['s-hpc', 80]], { ImageName: 'hpc-old', ehpc: { instantRegistered: true } })] } } });
    const file = writePolicy(
      tempDir(),
      `version: 1\nmode: enforce\nregions: [${R}]\nlimits: { maxDeletionPercent: 100 }\nrules:\n  - name: hpc\n    resource: ehpc-image\n    keep: {}\n    deleteSnapshots: true\n`,
    );
    const r = await cli(['run', '--policy', file, '--now', NOW, '--log', `${tempDir()}/a.jsonl`], envFor(emu));
    expect(r.code, r.stdout).toBe(0);
    expect(mutatingCalls(emu.calls()).map((c) => c.action)).toEqual(['RemoveImage', 'DeleteImage', 'DeleteSnapshot']);
    expect(emu.state().regions[R]?.snapshots ?? []).toEqual([]);
  });
});
