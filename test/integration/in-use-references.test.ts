/**
 * Wider in-use detection end to end: the CLI against the emulator over signed HTTP. An image that
 * only an old launch template version, only a pipeline's base image, only a scaling configuration
 * (by ID or by family), or only a running E-HPC Instant job names is protected (reason in-use, the
 * evidence in the plan and the audit log) and survives an enforce run; the images nothing names go.
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

interface PlanJson {
  items: Array<{ id: string; decision: string; reasons: string[]; detail: string }>;
  summary: { lookupFailures: unknown[] };
}

const image = (id: string, days: number, extra: Partial<FleetImage> = {}): FleetImage => ({
  ImageId: id,
  ImageName: `build-${id}`,
  CreationTime: ago(days),
  Size: 20,
  ...extra,
});

/** Every build is old and matched by a rule that keeps nothing: only protections save one. */
const POLICY = `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 }
rules:
  - name: builds
    resource: ecs-image
    match: { name: "build-*" }
    keep: {}
`;

function fleet(): Fleet {
  return {
    regions: {
      'cn-hangzhou': {
        images: [
          image('m-oldlt', 90),
          image('m-newlt', 10),
          image('m-pipe', 80),
          image('m-asc', 70),
          image('m-ascinactive', 65),
          image('m-fam1', 60, { ImageFamily: 'web' }),
          image('m-fam2', 50, { ImageFamily: 'web' }),
          image('m-job', 40),
          image('m-jobdone', 35),
          image('m-free1', 30),
          image('m-free2', 20),
        ],
        launchTemplates: [
          {
            LaunchTemplateId: 'lt-web',
            LaunchTemplateName: 'web',
            DefaultVersionNumber: 3,
            // Version 1 is neither the default nor the latest: it can still be launched explicitly.
            versions: [
              { VersionNumber: 1, ImageId: 'm-oldlt' },
              { VersionNumber: 2 },
              { VersionNumber: 3, ImageId: 'm-newlt' },
            ],
          },
        ],
        pipelines: [
          { ImagePipelineId: 'ip-base', Name: 'base', CreationTime: ago(100), BaseImageType: 'IMAGE', BaseImage: 'm-pipe' },
          { ImagePipelineId: 'ip-fam', Name: 'from-family', CreationTime: ago(100), BaseImageType: 'IMAGE_FAMILY', BaseImage: 'nonexistent-family' },
        ],
        scalingConfigurations: [
          { ScalingConfigurationId: 'asc-web', ScalingGroupId: 'asg-web', ImageId: 'm-asc' },
          { ScalingConfigurationId: 'asc-old', ScalingGroupId: 'asg-web', ImageId: 'm-ascinactive', LifecycleState: 'Inactive' },
          { ScalingConfigurationId: 'asc-fam', ScalingGroupId: 'asg-fam', ImageFamily: 'web' },
        ],
        executors: [
          { ExecutorId: 'job-1-task0-0', JobId: 'job-1', Image: 'm-job', Status: 'Running' },
          { ExecutorId: 'job-0-task0-0', JobId: 'job-0', Image: 'm-jobdone', Status: 'Succeeded' },
        ],
      },
    },
  };
}

const EVIDENCE: Record<string, RegExp> = {
  'm-oldlt': /launch template lt-web \(web\) version 1/,
  'm-newlt': /launch template lt-web \(web\) version 3 \(default\)/,
  'm-pipe': /image pipeline ip-base \(base\) base image/,
  'm-asc': /scaling configuration asc-web of scaling group asg-web, Active/,
  'm-ascinactive': /scaling configuration asc-old of scaling group asg-web, Inactive/,
  'm-fam2': /scaling configuration asc-fam of scaling group asg-fam, Active \(image family\) web \(its newest Available image\)/,
  'm-job': /E-HPC Instant executor job-1-task0-0 of job job-1 \(Running\)/,
};
const FREE = ['m-fam1', 'm-jobdone', 'm-free1', 'm-free2'];

async function planJson(policy: string, env: NodeJS.ProcessEnv): Promise<PlanJson> {
  const r = await cli(['plan', '--policy', policy, '--json', '--now', NOW], env);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as PlanJson;
}

describe('in-use references protect images the API would let go', () => {
  it('each referenced image is protected with reason in-use and its evidence; the rest are deleted', async () => {
    emu = await emulatorWith(fleet());
    const env = envFor(emu);
    const policy = writePolicy(tempDir(), POLICY);
    const plan = await planJson(policy, env);
    for (const [id, evidence] of Object.entries(EVIDENCE)) {
      const item = plan.items.find((i) => i.id === id)!;
      expect(item.decision, id).toBe('protect');
      expect(item.reasons, id).toEqual(['in-use']);
      expect(item.detail, id).toMatch(evidence);
    }
    for (const id of FREE) expect(plan.items.find((i) => i.id === id)?.decision, id).toBe('delete');
    expect(plan.summary.lookupFailures).toEqual([]);
    expect(mutatingCalls(emu.calls())).toEqual([]);

    const log = `${tempDir()}/audit.jsonl`;
    const run = await cli(['run', '--policy', policy, '--now', NOW, '--log', log], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const left = idsIn(emu.state());
    for (const id of Object.keys(EVIDENCE)) expect(left.has(id), id).toBe(true);
    for (const id of FREE) expect(left.has(id), id).toBe(false);
    expect(mutatingCalls(emu.calls()).map((c) => String(c.params['ImageId'])).sort()).toEqual([...FREE].sort());

    // The audit log carries the evidence on each decision.
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const decision = lines.find((l) => l['event'] === 'item.decision' && l['id'] === 'm-oldlt')!;
    expect(decision['reason']).toBe('in-use');
    expect(String(decision['detail'])).toMatch(EVIDENCE['m-oldlt']!);
  });

  it('every version of every template is read, across pages', async () => {
    const versions = Array.from({ length: 120 }, (_, i) => ({ VersionNumber: i + 1, ImageId: i === 3 ? 'm-oldlt' : 'm-newlt' }));
    const templates = Array.from({ length: 60 }, (_, i) => ({ LaunchTemplateId: `lt-${String(i).padStart(3, '0')}`, versions: [{ VersionNumber: 1 }] }));
    const f = fleet();
    f.regions['cn-hangzhou']!.launchTemplates = [...templates, { LaunchTemplateId: 'lt-many', versions }];
    emu = await emulatorWith(f);
    // One DescribeLaunchTemplateVersions call per template: let the client go faster than the default 5 a second.
    const plan = await planJson(writePolicy(tempDir(), POLICY.replace('maxDeletionPercent: 100 }', 'maxDeletionPercent: 100, requestsPerSecond: 200 }')), envFor(emu));
    expect(plan.items.find((i) => i.id === 'm-oldlt')?.detail).toMatch(/launch template lt-many version 4/);
    const calls = emu.calls();
    expect(calls.filter((c) => c.action === 'DescribeLaunchTemplates')).toHaveLength(2);
    // 60 one-version templates, one page each; 120 versions in pages of 50.
    expect(calls.filter((c) => c.action === 'DescribeLaunchTemplateVersions')).toHaveLength(60 + 3);
  });

  it('E-HPC Instant: a running job protects an ehpc-image at planning time; RemoveImage ImageInUse stays the guard for what ListExecutors cannot show', async () => {
    const hpc = (id: string, extra: Partial<FleetImage['ehpc']> = {}) =>
      image(id, 50, { ImageName: `hpc-${id}`, ehpc: { osTag: 'CentOS_7.9_64', instantRegistered: true, ...extra } });
    emu = await emulatorWith({
      regions: {
        'cn-hangzhou': {
          images: [hpc('m-hpcjob'), hpc('m-hpcrecords', { usedByJobs: true }), hpc('m-hpcfree')],
          executors: [{ ExecutorId: 'job-9-task0-1', JobId: 'job-9', Image: 'm-hpcjob', Status: 'Pending' }],
        },
      },
    });
    const env = envFor(emu);
    const policy = writePolicy(
      tempDir(),
      `version: 1
mode: enforce
regions: [cn-hangzhou]
limits: { maxDeletionsPerRun: 100, maxDeletionPercent: 100 }
rules:
  - name: hpc
    resource: ehpc-image
    keep: {}
`,
    );
    const plan = await planJson(policy, env);
    expect(plan.items.find((i) => i.id === 'm-hpcjob')).toMatchObject({ decision: 'protect', reasons: ['in-use'] });
    expect(plan.items.find((i) => i.id === 'm-hpcjob')?.detail).toMatch(/E-HPC Instant executor job-9-task0-1 of job job-9 \(Pending\)/);
    expect(plan.items.find((i) => i.id === 'm-hpcrecords')?.decision).toBe('delete');

    const r = await cli(['run', '--policy', policy, '--now', NOW, '--log', `${tempDir()}/a.jsonl`], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/m-hpcrecords .*refused\s+ImageInUse/);
    const left = idsIn(emu.state());
    expect([...left].sort()).toEqual(['m-hpcjob', 'm-hpcrecords']);
    // ECS was never asked to delete the image E-HPC Instant refused.
    expect(mutatingCalls(emu.calls()).filter((c) => c.action === 'DeleteImage').map((c) => c.params['ImageId'])).toEqual(['m-hpcfree']);
  });

  it('an account without E-HPC Instant (NotEnabled) has no jobs: nothing is protected for it, and the run is clean', async () => {
    const f = fleet();
    f.behaviour = { errors: [{ action: 'ehpcinstant.ListExecutors', status: 400, code: 'NotEnabled' }] };
    emu = await emulatorWith(f);
    const plan = await planJson(writePolicy(tempDir(), POLICY), envFor(emu));
    expect(plan.summary.lookupFailures).toEqual([]);
    expect(plan.items.find((i) => i.id === 'm-job')?.decision).toBe('delete');
    expect(plan.items.find((i) => i.id === 'm-oldlt')?.decision).toBe('protect');
  });

  it('a region without an E-HPC Instant endpoint is not asked', async () => {
    const f = fleet();
    f.regions = { 'us-east-1': f.regions['cn-hangzhou']! };
    emu = await emulatorWith(f);
    const plan = await planJson(writePolicy(tempDir(), POLICY.replace('[cn-hangzhou]', '[us-east-1]')), envFor(emu));
    expect(emu.calls().some((c) => c.action === 'ListExecutors')).toBe(false);
    expect(plan.items.find((i) => i.id === 'm-asc')?.decision).toBe('protect');
  });
});
