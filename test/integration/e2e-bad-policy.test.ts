/**
 * Every bad policy of the fixture set, through the CLI against a live emulator: refused with file,
 * line and column, exit 2, and not one API call reaches the cloud.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/index.js';
import { ROOT, cli, emulatorWith, envFor } from '../support/e2e.js';
import { ecsFleet } from '../support/fleets.js';

const BAD = join(ROOT, 'test/fixtures/policies/bad');
const fixtures = readdirSync(BAD).filter((f) => f.endsWith('.yaml')).sort();

let emu: Emulator;
beforeAll(async () => {
  emu = await emulatorWith(ecsFleet());
});
afterAll(async () => {
  await emu.close();
});

describe('bad policies through the CLI', () => {
  it('the fixture set is there', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures)('%s: refused with a position, exit 2, zero API calls', async (name) => {
    const file = join(BAD, name);
    emu.clearCalls();
    for (const command of ['validate', 'plan', 'run']) {
      const argv = command === 'validate' ? [command, '--policy', file] : [command, '--policy', file, '--endpoint', emu.url];
      const r = await cli(argv, envFor(emu));
      expect(r.code, `${command} ${name}`).toBe(2);
      expect(r.stderr).toContain(`${file}:`);
      expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
    }
    expect(emu.calls()).toEqual([]);
  });
});
