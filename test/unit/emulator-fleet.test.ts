/**
 * Fleet validation (clear errors naming the field) and the live state's sorted, cached views.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FleetError, loadFleetFile, validateFleet } from '../emulator/fleet-validate.js';
import type { FleetImage } from '../emulator/fleet.js';
import { FleetState } from '../emulator/state.js';

const image = (id: string, day: number, extra: Partial<FleetImage> = {}): FleetImage => ({
  ImageId: id, CreationTime: `2026-01-${String(day).padStart(2, '0')}T00:00:00Z`, ...extra,
});

describe('validateFleet', () => {
  it('accepts the spec example shape', () => {
    expect(() =>
      validateFleet({
        accountId: '1234567890123456',
        credentials: [{ accessKeyId: 'testid', accessKeySecret: 'testsecret' }],
        regions: {
          'cn-hangzhou': {
            images: [{
              ImageId: 'm-hz0001', ImageName: 'hpc-build-0001', CreationTime: '2026-01-01T00:00:00Z', Status: 'Available', Size: 40,
              ImageFamily: 'hpc', ImageOwnerAlias: 'self', Tags: { team: 'hpc' }, usedByInstances: 0, sharedWith: [], isPublic: false,
              busy: null, ehpc: { osTag: 'CentOS_7.2_64', instantRegistered: true, usedByJobs: false },
            }],
            pipelines: [{
              ImagePipelineId: 'ip-hz0001', Name: 'ci-base', CreationTime: '2026-01-01T00:00:00Z',
              executions: [{ ExecutionId: 'exec-hz0001', Status: 'SUCCESS', CreationTime: '2026-01-02T00:00:00Z', ModifiedTime: '2026-01-02T01:00:00Z' }],
            }],
          },
        },
        wuying: { images: [{ ImageId: 'imgc-0001', ImageName: 'desk-2025', GmtCreate: '2025-04-25 15:13:57', Status: 'AVAILABLE', ImageType: 'User', ProductType: 'CloudApp', inUse: false, shared: false }] },
        behaviour: {
          qps: { default: 100, DeleteImage: 10 }, latencyMs: 0, deleteMissingImage: 'error',
          faults: { rate: 0.0, kinds: ['ServiceUnavailable', 'Throttling', 'reset', 'timeout', 'malformed'], seed: 1 },
        },
      }),
    ).not.toThrow();
  });

  it.each([
    [{}, /^regions: expected an object/],
    [{ regions: { 'cn-hangzhou': { images: [{ ImageId: 'm-1' }] } } }, /^regions\.cn-hangzhou\.images\[0\]\.CreationTime: required/],
    [{ regions: { r: { images: [image('m-1', 1, { Status: 'Gone' as never })] } } }, /images\[0\]\.Status: expected one of Creating/],
    [{ regions: { r: { images: [image('m-1', 1, { busy: 'sleeping' as never })] } } }, /images\[0\]\.busy: expected one of copying/],
    [{ regions: { r: { images: [image('m-1', 1, { Tags: { a: 1 } as never })] } } }, /images\[0\]\.Tags\.a: tag values must be strings/],
    [{ regions: { a: { images: [image('m-1', 1)] }, b: { images: [image('m-1', 2)] } } }, /regions\.b\.images\[0\]\.ImageId: duplicate ID m-1 \(first at regions\.a\.images\[0\]\.ImageId\)/],
    [{ regions: { r: { pipelines: [{ ImagePipelineId: 'ip-1', CreationTime: '2026-01-01T00:00:00Z', executions: [{ ExecutionId: 'e', Status: 'RUNNING', CreationTime: '2026-01-01T00:00:00Z' }] }] } } }, /executions\[0\]\.Status: required, expected one of PREPARING/],
    [{ regions: {}, behaviour: { faults: { rate: 2, kinds: [] } } }, /^behaviour\.faults\.rate: required, expected a number in \[0, 1\]/],
    [{ regions: {}, behaviour: { faults: { rate: 0.5, kinds: ['explode'] } } }, /^behaviour\.faults\.kinds\[0\]: expected one of ServiceUnavailable/],
    [{ regions: {}, behaviour: { qps: { DeleteImage: 0 } } }, /^behaviour\.qps\.DeleteImage: expected a number > 0/],
    [{ regions: {}, behaviour: { deleteMisingImage: 'ignore' } }, /^behaviour\.deleteMisingImage: unknown behaviour/],
    [{ regions: {}, wuying: { images: [{ ImageId: 'imgc-1', GmtCreate: 'last week' }] } }, /^wuying\.images\[0\]\.GmtCreate: required, expected an ISO 8601 time/],
    [{ regions: {}, credentials: [{ accessKeyId: 'x' }] }, /^credentials\[0\]\.accessKeySecret: required/],
    [{ regions: { r: { images: [image('m-1', 1, { usedbyInstances: 2 } as never)] } } }, /images\[0\]\.usedbyInstances: unknown field .*other API fields go in `answer`/],
    [{ regions: { r: { images: [image('m-1', 1, { ehpc: { registered: true } } as never)] } } }, /images\[0\]\.ehpc\.registered: unknown field/],
  ])('refuses %j with a message naming the field', (fleet, message) => {
    expect(() => validateFleet(fleet)).toThrow(FleetError);
    expect(() => validateFleet(fleet)).toThrow(message);
  });

  it('the example fleet shipped with the emulator is valid', () => {
    const fleet = loadFleetFile(join(import.meta.dirname, '..', 'emulator', 'fleets', 'example.json'));
    expect(fleet.regions['cn-hangzhou']!.images).toHaveLength(3);
  });

  it('loadFleetFile names the file, and says when the JSON itself is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emu-fleet-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"regions": ');
    expect(() => loadFleetFile(bad)).toThrow(/^fleet file .*bad\.json: not valid JSON/);
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ regions: { r: { images: [{ ImageId: 'm-1', CreationTime: 3 }] } } }));
    expect(() => loadFleetFile(wrong)).toThrow(/^fleet file .*wrong\.json: regions\.r\.images\[0\]\.CreationTime/);
    expect(() => loadFleetFile(join(dir, 'absent.json'))).toThrow(/cannot read it/);
  });
});

describe('FleetState', () => {
  it('sorts newest first, ties by ID, and keeps the file order for state()', () => {
    const s = new FleetState({ regions: { r: { images: [image('m-b', 1), image('m-c', 3), image('m-a', 1)] } } });
    expect(s.region('r').images.sortedAll().map((i) => i.ImageId)).toEqual(['m-c', 'm-a', 'm-b']);
    expect(s.toFleet().regions.r!.images!.map((i) => i.ImageId)).toEqual(['m-b', 'm-c', 'm-a']);
  });

  it('splices deletions out of the sorted view and cached filters instead of re-sorting', () => {
    const images = Array.from({ length: 50 }, (_, i) => image(`m-${String(i).padStart(3, '0')}`, (i % 28) + 1));
    const s = new FleetState({ regions: { r: { images } } });
    const idx = s.region('r').images;
    const even = idx.filter('even', (i) => Number(i.ImageId.slice(2)) % 2 === 0);
    const before = idx.sortedAll().slice();
    idx.delete('m-010');
    idx.delete('m-011');
    expect(idx.sortedAll()).toEqual(before.filter((i) => i.ImageId !== 'm-010' && i.ImageId !== 'm-011'));
    expect(idx.filter('even', () => false)).toBe(even); // still cached, and updated in place
    expect(even.some((i) => i.ImageId === 'm-010')).toBe(false);
    expect(idx.size).toBe(48);
  });

  it('does not share objects with the fleet it was given', () => {
    const fleet = { regions: { r: { images: [image('m-1', 1, { Tags: { a: 'b' } })] } } };
    const s = new FleetState(fleet);
    s.region('r').images.get('m-1')!.Tags!.a = 'changed';
    expect(fleet.regions.r.images[0]!.Tags!.a).toBe('b');
    expect(s.toFleet().regions.r!.images![0]!.Tags!.a).toBe('changed');
  });

  it('defaults: account 1234567890123456, credentials testid/testsecret', () => {
    const s = new FleetState({ regions: {} });
    expect(s.accountId).toBe('1234567890123456');
    expect(s.credentials.get('testid')?.accessKeySecret).toBe('testsecret');
  });
});
