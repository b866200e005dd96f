/**
 * The command line's commands and flags, and the exit status of each (0 done; 1 done with
 * failures or aborted groups; 2 bad input: nothing listed, nothing changed). functions/cli.ts
 * only calls main() with the process's arguments, streams and environment.
 */
import { Command, CommanderError } from 'commander';
import { applyCommand } from './apply.js';
import { registerAuditCommand } from './audit.js';
import { BadInput, EXIT, type Output } from './common.js';
import { planCommand } from './plan.js';
import { runCommand } from './run.js';
import { validateCommand } from './validate.js';
import { redactor, secretsFromEnv } from '../report/secrets.js';
import { VERSION } from '../version.js';

function buildCli(io: Output, env: NodeJS.ProcessEnv, setExit: (code: number) => void): Command {
  const program = new Command('image-gc')
    .description('Garbage collector for Alibaba Cloud custom images and image pipelines')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('validate')
    .description('check a policy file; every error with file:line:column and key')
    .requiredOption('--policy <file>', 'policy YAML file')
    .action((opts: { policy: string }) => setExit(validateCommand(opts, io)));

  program
    .command('plan')
    .description('list everything and show what a run would decide; changes nothing')
    .requiredOption('--policy <file>', 'policy YAML file')
    .option('--json', 'print {items, summary} as JSON')
    .option('--now <iso-time>', 'measure ages against this time instead of the clock')
    .option('--endpoint <url>', 'send every API call to this URL (the emulator); also IMAGE_GC_ENDPOINT')
    .option('--out <file>', 'also write the plan file for review and `apply` (docs/plan-apply.md)')
    .option('--ttl <duration>', 'how long the plan file may be applied (12h, 3d; default 24h, at most 7d)')
    .action(async (opts) => setExit(await planCommand(opts, io, env)));

  program
    .command('apply')
    .description("carry out a reviewed plan file: delete its delete items, each checked again first, and nothing else")
    .argument('<plan>', 'plan file written by plan --out')
    .option('--policy <file>', 'the policy the plan was made with (default: the file the plan names)')
    .option('--dry-run', 'check everything, change nothing')
    .option('--now <iso-time>', 'measure ages against this time instead of the clock (the expiry always uses the clock)')
    .option('--deadline <iso-time>', 'start no deletion after this time')
    .option('--endpoint <url>', 'send every API call to this URL (the emulator); also IMAGE_GC_ENDPOINT')
    .option('--log <file>', 'write the audit log (JSON lines) to this file')
    .action(async (plan: string, opts) => setExit((await applyCommand(plan, opts, io, env)).exit));

  program
    .command('run')
    .description("run the collector; obeys the policy's mode")
    .requiredOption('--policy <file>', 'policy YAML file')
    .option('--dry-run', 'change nothing, whatever the policy says')
    .option('--now <iso-time>', 'measure ages against this time instead of the clock')
    .option('--endpoint <url>', 'send every API call to this URL (the emulator); also IMAGE_GC_ENDPOINT')
    .option('--log <file>', 'write the audit log (JSON lines) to this file')
    .option('--deadline <iso-time>', 'start no deletion after this time; what is left is reported skipped')
    .action(async (opts) => setExit((await runCommand(opts, io, env)).exit));

  registerAuditCommand(program, io, setExit);

  return program;
}

/** Every line the CLI prints, with the environment's credentials taken out (plan --json carries API messages). */
function redacting(io: Output, env: NodeJS.ProcessEnv): Output {
  const redact = redactor(secretsFromEnv(env));
  return { isTTY: io.isTTY, out: (t) => io.out(redact(t)), err: (t) => io.err(redact(t)) };
}

export async function main(argv: readonly string[], rawIo: Output, env: NodeJS.ProcessEnv): Promise<number> {
  const io = redacting(rawIo, env);
  let exit: number = EXIT.ok;
  try {
    await buildCli(io, env, (code) => {
      exit = code;
    }).parseAsync([...argv], { from: 'user' });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; every other flag problem is bad input.
      return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(e.code) ? EXIT.ok : EXIT.badInput;
    }
    if (e instanceof BadInput) {
      io.err(`image-gc: ${e.message}`);
      return EXIT.badInput;
    }
    io.err(`image-gc: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.troubled;
  }
}
