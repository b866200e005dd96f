/** Turning API answers into facts: every documented value, and what happens to everything else. */
import { describe, expect, it } from 'vitest';
import { ecsImageFacts } from '../../functions/inventory/ecs-describe.js';
import { isoTime, wuyingTime } from '../../functions/inventory/fields.js';

const base = {
  ImageId: 'm-1',
  ImageName: 'build-1',
  CreationTime: '2026-01-02T03:04:05Z',
  Status: 'Available',
  Progress: '100%',
  Usage: 'none',
  IsSelfShared: 'false',
  IsPublic: false,
  ImageOwnerAlias: 'self',
  ImageFamily: 'hpc',
  Size: 40,
  Tags: { Tag: [{ TagKey: 'team', TagValue: 'hpc' }] },
  DiskDeviceMappings: { DiskDeviceMapping: [{ SnapshotId: 's-1', Size: '40', Device: '/dev/xvda' }] },
};

describe('ecsImageFacts', () => {
  it('reads a documented answer', () => {
    const f = ecsImageFacts(base);
    expect(f).toMatchObject({ id: 'm-1', name: 'build-1', createdAt: '2026-01-02T03:04:05.000Z', status: 'Available', family: 'hpc', sizeGiB: 40, tags: { team: 'hpc' } });
    expect([f.owned.value, f.inUse.value, f.shared.value, f.isPublic.value, f.atRest.value]).toEqual([true, false, false, false, true]);
    expect(f.snapshots).toEqual([{ id: 's-1', sizeGiB: 40 }]);
    expect(f.warnings).toEqual([]);
  });

  it.each([
    ['Usage', 'instance', 'inUse', true],
    ['Usage', undefined, 'inUse', null],
    ['Usage', 'sometimes', 'inUse', null],
    ['IsSelfShared', 'true', 'shared', true],
    ['IsSelfShared', true, 'shared', true],
    ['IsSelfShared', undefined, 'shared', null],
    ['IsSelfShared', 'yes', 'shared', null],
    ['IsPublic', true, 'isPublic', true],
    ['IsPublic', 'false', 'isPublic', false],
    ['IsPublic', undefined, 'isPublic', null],
    ['ImageOwnerAlias', 'others', 'owned', false],
    ['ImageOwnerAlias', undefined, 'owned', null],
    ['Status', 'Creating', 'atRest', false],
    ['Status', 'Waiting', 'atRest', false],
    ['Status', 'CreateFailed', 'atRest', true],
    ['Status', 'Copying', 'atRest', null],
    ['Status', undefined, 'atRest', null],
    ['Progress', '42%', 'atRest', false],
  ] as const)('%s=%j gives %s %j', (field, value, factName, expected) => {
    const raw: Record<string, unknown> = { ...base, [field]: value };
    if (value === undefined) delete raw[field];
    const f = ecsImageFacts(raw);
    expect(f[factName].value).toBe(expected);
    expect(f[factName].evidence.length).toBeGreaterThan(0);
  });

  it.each([undefined, '', 'yesterday', '2026-13-01T00:00:00Z', '2026-01-02 03:04:05', 1767323045, '2026-01-02T03:04:05'])('CreationTime %j is unknown, with a warning', (value) => {
    const f = ecsImageFacts({ ...base, CreationTime: value });
    expect(f.createdAt).toBeNull();
    expect(f.warnings.join()).toMatch(/CreationTime/);
  });

  it('survives mistyped containers', () => {
    const f = ecsImageFacts({ ...base, Tags: 'team=hpc', DiskDeviceMappings: { DiskDeviceMapping: 'x' }, Size: 'big', ImageName: 42 });
    expect(f.tags).toEqual({});
    expect(f.snapshots).toEqual([]);
    expect(f.sizeGiB).toBeNull();
    expect(f.name).toBe('42');
  });
});

describe('times', () => {
  it('isoTime needs a zone', () => {
    expect(isoTime('2026-01-02T03:04Z')).toBe('2026-01-02T03:04:00.000Z');
    expect(isoTime('2026-01-02T11:04:05+08:00')).toBe('2026-01-02T03:04:05.000Z');
    expect(isoTime('2026-01-02T03:04:05')).toBeNull();
  });

  it('wuyingTime reads the zone-less GmtCreate as UTC, which can only make an image look younger', () => {
    expect(wuyingTime('2025-04-25 15:13:57')).toBe('2025-04-25T15:13:57.000Z');
    expect(wuyingTime('2025-04-25T15:13:57Z')).toBe('2025-04-25T15:13:57.000Z');
    expect(wuyingTime('25/04/2025')).toBeNull();
  });
});
