/**
 * `npm run demo`: the main job, on the built-in emulator. Starts the emulator with a realistic
 * fleet, shows the plan, runs it in enforce mode, shows what happened, runs again to show that
 * a second run converges, and says what to change to point it at a real account.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main as gc } from '../../functions/commands/main.js';
import { planCommand } from '../../functions/commands/plan.js';
import { runCommand } from '../../functions/commands/run.js';
import type { Output } from '../../functions/commands/common.js';
import { startEmulator } from '../emulator/index.js';
import { demoFleet } from './fleet.js';

const policy = fileURLToPath(new URL('./demo-policy.yaml', import.meta.url));
const color = process.stdout.isTTY === true;
const bold = (s: string) => (color ? `\u001b[1m${s}\u001b[0m` : s);
const io: Output = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  isTTY: color,
};

async function main(): Promise<number> {
  const now = new Date();
  const fleet = demoFleet(now);
  const emulator = await startEmulator({ fleet, port: 0, quiet: true });
  const cred = fleet.credentials?.[0];
  const env = {
    ...process.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: cred?.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: cred?.accessKeySecret,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
  };
  const logDir = mkdtempSync(join(tmpdir(), 'image-gc-demo-'));
  try {
    const images = Object.values(fleet.regions).reduce((n, r) => n + (r.images?.length ?? 0), 0);
    const pipelines = Object.values(fleet.regions).reduce((n, r) => n + (r.pipelines?.length ?? 0), 0);
    io.out(bold(`image-gc demo: emulator at ${emulator.url}`));
    io.out(`fleet: ${images} ECS/E-HPC images in ${Object.keys(fleet.regions).length} regions, ${fleet.wuying?.images?.length ?? 0} WUYING images, ${pipelines} image pipelines`);
    io.out(`policy: ${policy} (mode enforce)\n`);

    io.out(bold('1. The plan: what the policy decides for every item, and why (nothing changes yet)'));
    await planCommand({ policy, endpoint: emulator.url }, io, env);

    io.out(bold('\n2. The run, in enforce mode: deletions oldest first, rate-limited, each with its outcome'));
    const first = await runCommand({ policy, endpoint: emulator.url, log: join(logDir, 'run-1.jsonl') }, io, env);

    io.out(bold('\n3. A second run right away: the deferred items go now, and the base image of the pipeline run 1 deleted is no longer in use, so its grace period starts (marked)'));
    const second = await runCommand({ policy, endpoint: emulator.url, log: join(logDir, 'run-2.jsonl') }, io, env);

    const left = emulator.state();
    const leftImages = Object.values(left.regions).reduce((n, r) => n + (r.images?.length ?? 0), 0);
    io.out(bold('\n4. The audit: the questions operators ask SLS, answered over the run\'s own log lines'));
    io.out(`${leftImages} of ${images} images remain. What was deleted, and by which rule:`);
    await gc(['audit', '--log', join(logDir, 'run-1.jsonl'), 'deleted'], io, env);
    io.out('\nEvery refusal and failure, with its code:');
    await gc(['audit', '--log', join(logDir, 'run-1.jsonl'), 'failures'], io, env);
    io.out(`\nThe audit logs are in ${logDir}; the same questions as saved SLS queries are in policies/sls/.`);
    io.out(bold('\nRun it against a real account'));
    io.out(
      [
        '  1. Credentials: export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (a RAM user with policies/ram/permission-policy.json),',
        '     or rely on the default credential chain (profile, ECS RAM role).',
        '  2. Policy: copy policies/default.yaml (dry-run) and set your regions and rules; check it with',
        '     npm run gc -- validate --policy my-policy.yaml',
        '  3. Drop --endpoint: with no override every call goes to the real regional endpoints.',
        '     npm run gc -- plan --policy my-policy.yaml',
        '  4. Deploy the timer function (docs/deploy.md); it stays in dry-run until the policy says mode: enforce and IMAGE_GC_MODE=enforce.',
      ].join('\n'),
    );
    return Math.max(first.exit, second.exit) > 1 ? 1 : 0;
  } finally {
    await emulator.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
