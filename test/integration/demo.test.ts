/**
 * The README's first command, `npm run demo`, exactly as a newcomer runs it: it must exit 0, show
 * the plan, enforce it, converge on the second run, and never touch what the policy protects.
 * The figures asserted are the demo fleet's (test/demo/fleet.ts) under test/demo/demo-policy.yaml.
 */
import { describe, expect, it } from 'vitest';
import { runProcess } from '../support/e2e.js';

describe('npm run demo', () => {
  it('plans, enforces, converges and audits on the built-in emulator', async () => {
    const { code, stdout, stderr } = await runProcess('npm', ['run', '--silent', 'demo'], { ...process.env, NO_COLOR: '1' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // The plan: every decision of the spec's table appears, with the caps at work.
    expect(stdout).toContain('70 items, 31 API calls; decisions: delete 20, mark 3, wait 1, unmark 1, keep 22, protect 12, defer 5, abort 6');
    expect(stdout).toMatch(/ABORTED ecs-image in cn-beijing: 6 of 6 \(100%\) would go, above maxDeletionPercent 80/);
    // Run 1: the cap of 20 deletions; two refused by the cloud itself (jobs, desktops), kept.
    expect(stdout).toContain('outcomes:  deleted 18, refused 2, marked 3, unmarked 1');
    expect(stdout).toMatch(/refused\s+ImageInUse\s+RemoveImage:ImageInUse/);
    expect(stdout).toMatch(/refused\s+ImageNotAllowDelete/);
    // Run 2: the five deferred items go; the pipeline base image freed by run 1 starts its grace.
    expect(stdout).toContain('outcomes:  deleted 5, refused 2, marked 1');
    expect(stdout).toMatch(/m-uf6pipelinebase1\s+base-centos-v9\s+marked/);
    expect(stdout).toContain('40 of 56 images remain.');
    // Nothing protected in the plan has an outcome line in either run.
    const protectedIds = [...stdout.matchAll(/^(?:ehpc-image|ecs-image|wuying-image|image-pipeline)\s+\S+\s+(\S+)\s+.*\sprotect\s/gm)].map((m) => m[1] as string);
    expect(protectedIds.length).toBe(12);
    const runs = stdout.slice(stdout.indexOf('2. The run'), stdout.indexOf('4. The audit'));
    for (const id of protectedIds.filter((id) => id !== 'm-uf6pipelinebase1')) expect(runs).not.toContain(id);
    expect(stdout).toContain('Run it against a real account');
  }, 60_000);
});
