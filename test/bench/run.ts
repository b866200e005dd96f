/**
 * `npm run bench [-- --quick] [-- --only SECTION[,SECTION]]`: image-gc's benchmarks against the
 * emulator over real HTTP (issue #6). Sections: throughput (§1), compare (§2), listing (§3),
 * scale (§4), coldstart (§5). Prints one table, writes the figures as JSON and, for a full run,
 * regenerates BENCHMARKS.md from that JSON.
 *
 * - A full run (or --only) merges its sections into bench-results/latest.json and rewrites
 *   BENCHMARKS.md from it (`npx tsx test/bench/report.ts` does the same from the JSON alone).
 * - --quick is a smoke test with small fleets: bench-results/quick.json, BENCHMARKS.md untouched.
 * Nothing here asserts a timing; the table says which targets were met.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulatorProcess, type EmulatorProcess } from './lib/emulator-process.js';
import { codeVersion, load1, machine } from './lib/machine.js';
import { RESULTS_DIR, ROOT, scratchDir } from './lib/paths.js';
import { round } from './lib/stats.js';
import { renderMarkdown, renderTable } from './report.js';
import { runColdStart } from './sections/coldstart.js';
import { runListing } from './sections/listing.js';
import { runScale } from './sections/scale.js';
import { FULL_PLAN, QUICK_PLAN, runThroughput } from './sections/throughput.js';
import { SECTIONS, type Results, type SectionMeta, type SectionName } from './types.js';

function parse(): { quick: boolean; only: Set<SectionName>; out: string | undefined; keep: boolean } {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      out: { type: 'string' },
      'keep-scratch': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`usage: npm run bench -- [--quick] [--only ${SECTIONS.join('|')}[,...]] [--out FILE] [--keep-scratch]\n`);
    process.exit(0);
  }
  const only = new Set<SectionName>();
  for (const list of values.only ?? []) {
    for (const s of list.split(',').map((x) => x.trim()).filter(Boolean)) {
      if (!(SECTIONS as readonly string[]).includes(s)) {
        process.stderr.write(`bench: unknown section "${s}"; sections: ${SECTIONS.join(', ')}\n`);
        process.exit(2);
      }
      only.add(s as SectionName);
    }
  }
  return { quick: values.quick ?? false, only: only.size > 0 ? only : new Set(SECTIONS), out: values.out, keep: values['keep-scratch'] ?? false };
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

async function section<T extends object>(name: SectionName, quick: boolean, body: () => Promise<T>): Promise<SectionMeta & T> {
  progress(`[${new Date().toISOString()}] ${name}: start (load ${load1()})`);
  const loadStart = load1();
  const t0 = performance.now();
  const result = await body();
  const durationS = round((performance.now() - t0) / 1000, 1);
  progress(`[${new Date().toISOString()}] ${name}: done in ${durationS} s`);
  return { measuredAt: new Date().toISOString(), quick, durationS, load1: [loadStart, load1()], machine: machine(), code: codeVersion(ROOT), ...result };
}

async function main(): Promise<void> {
  const args = parse();
  const out = args.out ?? join(RESULTS_DIR, args.quick ? 'quick.json' : 'latest.json');
  mkdirSync(RESULTS_DIR, { recursive: true });
  // A full run adds to what earlier runs measured (--only replaces just its sections); --quick starts afresh.
  const results: Results = !args.quick && existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Results) : { version: 1 };
  const want = (s: SectionName) => args.only.has(s);
  const scratch = scratchDir('run');

  let emu: EmulatorProcess | undefined;
  const emulator = async () => (emu ??= await startEmulatorProcess({ fleet: { regions: {} }, dir: scratch }));
  try {
    if (want('throughput') || want('compare')) {
      const e = await emulator();
      const ran = await section(want('throughput') ? 'throughput' : 'compare', args.quick, async () =>
        runThroughput(e, args.quick ? QUICK_PLAN : FULL_PLAN, { throughput: want('throughput'), compare: want('compare') }, progress),
      );
      const { cells, cases, ...meta } = ran;
      if (want('throughput')) results.throughput = { ...meta, cells };
      if (want('compare')) results.compare = { ...meta, cases };
    }
    if (want('listing')) {
      const e = await emulator();
      results.listing = await section('listing', args.quick, async () => ({ cases: await runListing(e, args.quick, progress) }));
    }
  } finally {
    await emu?.close();
  }
  if (want('scale')) results.scale = await section('scale', args.quick, async () => ({ cases: await runScale(args.quick, progress) }));
  if (want('coldstart')) results.coldstart = await section('coldstart', args.quick, () => runColdStart(args.quick));

  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${renderTable(results)}\n`);
  process.stdout.write(`results: ${out}\n`);
  if (!args.quick && args.out === undefined) {
    writeFileSync(join(ROOT, 'BENCHMARKS.md'), renderMarkdown(results));
    process.stdout.write(`BENCHMARKS.md regenerated from ${out}\n`);
  }
  if (!args.keep) rmSync(join(RESULTS_DIR, 'tmp'), { recursive: true, force: true });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
