/**
 * CLI: `npx tsx test/emulator/main.ts --fleet FILE [--port N] [--quiet]`
 * (the project runs it as `npm run emulator -- --fleet FILE --port N`).
 * First stdout line: `listening http://127.0.0.1:PORT`. Runs until SIGINT/SIGTERM.
 * Exit 2 on bad flags or a bad fleet file (message on stderr).
 */
import { parseArgs } from 'node:util';
import { loadFleetFile, startEmulator, type Fleet } from './index.js';

function usage(message: string): never {
  process.stderr.write(`emulator: ${message}\nusage: main.ts --fleet FILE [--port N] [--quiet]\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { fleet?: string; port?: string; quiet?: boolean };
  try {
    ({ values } = parseArgs({ options: { fleet: { type: 'string' }, port: { type: 'string' }, quiet: { type: 'boolean' } } }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (!values.fleet) usage('--fleet FILE is required');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port must be 0..65535, got ${values.port}`);
  let fleet: Fleet;
  try {
    fleet = loadFleetFile(values.fleet);
  } catch (e) {
    process.stderr.write(`emulator: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const emu = await startEmulator({ fleet, port, quiet: values.quiet ?? false });
  process.stdout.write(`listening ${emu.url}\n`);
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
