/**
 * Fail closed: when any in-use lookup fails in a region (launch templates, their versions, image
 * pipelines, scaling configurations, E-HPC Instant executors, family resolution), every image of
 * that region is protected (in-use, the evidence naming the failed lookup), nothing is deleted
 * there, the other regions go on, the failure is logged (references.failed) and the run exits 1.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator, Fleet, FleetImage } from '../emulator/index.js';
import { cli, emulatorWith, envFor, mutatingCalls, tempDir, writePolicy } from '../support/e2e.js';
import { E2E_NOW, ago } from '../support/fleets.js';

const NOW = E2E_NOW.toISOString();
let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const image = (id: string, days: number, extra: Partial<FleetImage> = {}): FleetImage => ({ ImageId: id, ImageName: `build-${id}`, CreationTime: ago(days), ...extra });

const POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou, cn-shanghai]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 }
rules:
  - name: builds
    resource: ecs-image
    match: { name: "build-*" }
    keep: {}
`;

function fleet(): Fleet {
  const region = (p: string) => ({
    images: [image(`m-${p}1`, 50), image(`m-${p}2`, 40), image(`m-${p}fam`, 30, { ImageFamily: 'web' })],
    launchTemplates: [{ LaunchTemplateId: `lt-${p}`, versions: [{ VersionNumber: 1 }] }],
    pipelines: [{ ImagePipelineId: `ip-${p}`, CreationTime: ago(100), BaseImageType: 'IMAGE_FAMILY', BaseImage: 'web' }],
    scalingConfigurations: [{ ScalingConfigurationId: `asc-${p}`, ScalingGroupId: `asg-${p}` }],
  });
  return { regions: { 'cn-hangzhou': region('hz'), 'cn-shanghai': region('sh') } };
}

const CASES = [
  { lookup: 'launch templates', action: 'DescribeLaunchTemplates', code: 'ServiceUnavailable', status: 503 },
  { lookup: 'launch templates', action: 'DescribeLaunchTemplateVersions', code: 'Forbidden.RAM', status: 403 },
  { lookup: 'image pipelines', action: 'DescribeImagePipelines', code: 'InternalError', status: 500 },
  { lookup: 'scaling configurations', action: 'DescribeScalingConfigurations', code: 'Forbidden.RAM', status: 403 },
  { lookup: 'E-HPC Instant executors', action: 'ListExecutors', code: 'NotAuthorized', status: 407 },
] as const;

describe('a failed in-use lookup protects every image of its region', () => {
  it.each(CASES)('$action answering $code', async ({ lookup, action, code, status }) => {
    emu = await emulatorWith({ ...fleet(), behaviour: { errors: [{ action, status, code, region: 'cn-shanghai' }] } });
    const env = envFor(emu);
    const policy = writePolicy(tempDir(), POLICY);

    const plan = await cli(['plan', '--policy', policy, '--json', '--now', NOW], env);
    expect(plan.code).toBe(1);
    const parsed = JSON.parse(plan.stdout) as {
      items: Array<{ id: string; region: string; kind: string; decision: string; reasons: string[]; detail: string }>;
      summary: { lookupFailures: Array<{ region: string; lookup: string; code: string }> };
    };
    expect(parsed.summary.lookupFailures).toEqual([expect.objectContaining({ region: 'cn-shanghai', lookup, code })]);
    for (const item of parsed.items.filter((i) => i.kind === 'ecs-image')) {
      if (item.region === 'cn-shanghai') {
        expect(item.decision, item.id).toBe('protect');
        expect(item.reasons).toEqual(['in-use']);
        // Known use is reported as such; the failure is named for the images nothing else is known to use.
        if (item.id === 'm-shfam' && lookup !== 'image pipelines') continue;
        expect(item.detail).toContain(`${lookup} lookup failed`);
        expect(item.detail).toContain(code);
        expect(item.detail).toMatch(/use unknown, so kept/);
      } else {
        // cn-hangzhou goes on; its newest image of family web is the pipeline's base image.
        expect(item.decision, item.id).toBe(item.id === 'm-hzfam' ? 'protect' : 'delete');
      }
    }

    const log = `${tempDir()}/audit.jsonl`;
    const run = await cli(['run', '--policy', policy, '--now', NOW, '--log', log], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`IN-USE LOOKUP FAILED ${lookup} in cn-shanghai`));
    const deleted = mutatingCalls(emu.calls());
    expect(deleted.map((c) => c.params['ImageId']).sort()).toEqual(['m-hz1', 'm-hz2']);
    expect(new Set(deleted.map((c) => c.region))).toEqual(new Set(['cn-hangzhou']));
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l['event'] === 'references.failed')).toEqual([expect.objectContaining({ region: 'cn-shanghai', lookup, code, level: 'error' })]);
    const finish = lines.find((l) => l['event'] === 'run.finish')!;
    expect(finish['exitStatus']).toBe(1);
    expect(finish['lookupFailures']).toEqual([expect.objectContaining({ region: 'cn-shanghai', lookup })]);
  });

  it('resolving an image family fails when the region cannot be listed: the family lookup is named', async () => {
    // ehpc-image only: the family needs the region's own images, listed just for it, and that listing fails.
    emu = await emulatorWith({
      regions: {
        'cn-hangzhou': {
          images: [image('m-h1', 50, { ImageName: 'hpc-1', ehpc: {} })],
          scalingConfigurations: [{ ScalingConfigurationId: 'asc-1', ScalingGroupId: 'asg-1', ImageFamily: 'web' }],
        },
      },
      behaviour: { errors: [{ action: 'DescribeImages', status: 503, code: 'ServiceUnavailable', params: { ImageOwnerAlias: 'self' } }] },
    });
    const policy = writePolicy(tempDir(), 'version: 1\nregions: [cn-hangzhou]\nrules:\n  - name: hpc\n    resource: ehpc-image\n    keep: {}\n');
    const r = await cli(['plan', '--policy', policy, '--json', '--now', NOW], envFor(emu));
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as { items: Array<{ id: string; decision: string; detail: string }>; summary: { lookupFailures: Array<{ lookup: string }> } };
    expect(parsed.summary.lookupFailures.map((f) => f.lookup)).toEqual(['image families']);
    expect(parsed.items[0]).toMatchObject({ id: 'm-h1', decision: 'protect' });
    expect(parsed.items[0]!.detail).toMatch(/image families lookup failed \(DescribeImages: ServiceUnavailable\)/);
  });

  it('a lookup answer that cannot be read fails closed too (a version without LaunchTemplateData)', async () => {
    const f = fleet();
    f.regions['cn-shanghai']!.launchTemplates = [{ LaunchTemplateId: 'lt-bad', versions: [{ VersionNumber: 1, ImageId: 'm-sh1', answer: { LaunchTemplateData: null } }] }];
    emu = await emulatorWith(f);
    const r = await cli(['plan', '--policy', writePolicy(tempDir(), POLICY), '--json', '--now', NOW], envFor(emu));
    expect(r.code).toBe(1);
    const parsed = JSON.parse(r.stdout) as { items: Array<{ id: string; decision: string; detail: string }> };
    expect(parsed.items.find((i) => i.id === 'm-sh2')).toMatchObject({ decision: 'protect' });
    expect(parsed.items.find((i) => i.id === 'm-sh2')!.detail).toMatch(/launch templates lookup failed \(DescribeLaunchTemplates\/DescribeLaunchTemplateVersions: MalformedResponse\)/);
  });
});
