/**
 * The bundle budget's guard: the build refuses inputs from moment, lodash or ws (what a newer
 * @alicloud/tea-util pulls in), and the pin that keeps them out holds in the installed tree.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, heavyInputs } from '../../scripts/build.js';

describe('scripts/build.ts heavyInputs', () => {
  it('names inputs from moment, lodash and ws, and nothing else', () => {
    const inputs = [
      'node_modules/moment/moment.js',
      'node_modules/lodash/lodash.js',
      'node_modules\\ws\\index.js',
      'node_modules/@alicloud/tea-util/dist/client.js',
      'node_modules/wsl-utils/index.js',
      'functions/handler.ts',
    ];
    expect(heavyInputs(inputs)).toEqual(inputs.slice(0, 3));
  });

  it('every installed @alicloud/tea-util is the pinned 1.4.9', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const copies = Object.entries(lock.packages).filter(([path]) => path.endsWith('node_modules/@alicloud/tea-util'));
    expect(copies.length).toBeGreaterThan(0);
    for (const [path, pkg] of copies) expect({ path, version: pkg.version }).toEqual({ path, version: '1.4.9' });
  });
});
