/**
 * Renders benchmark results (types.ts) as the console table and as BENCHMARKS.md. Every figure in
 * the document comes from the JSON; nothing is typed by hand.
 * `npx tsx test/bench/report.ts [bench-results/latest.json]` rewrites BENCHMARKS.md from a JSON file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RATE_TUNING as TUNING, SLOW_START_RPS, TRUSTED_START_RPS } from '../../functions/cloud/rate-limit.js';
import { deadlineMargin } from '../../functions/handler.js';
import { RESULTS_DIR, ROOT } from './lib/paths.js';
import type { ColdStart, CompareCase, ListingCase, Results, ScaleCase, SectionMeta, ThroughputCell } from './types.js';

// ---------------------------------------------------------------- targets (issue #6)

export const TARGETS = {
  quotaShare: 0.9,
  throttledShare: 0.02,
  listingRatio: 1.05,
  planCpuS: 1,
  planAtImages: 100_000,
  peakRssMiB: 256,
  bundleBytes: 1_000_000,
  importRatio: 2,
} as const;

type Verdict = 'ok' | 'MISSED' | 'info';
interface Row {
  section: string;
  case: string;
  measured: string;
  target: string;
  verdict: Verdict;
}

const pct = (x: number, digits = 2) => `${(x * 100).toFixed(digits)} %`;
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : String(x));
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const mib = (b: number) => `${(b / 1024 ** 2).toFixed(1)} MiB`;
const num = (n: number) => n.toLocaleString('en-US');
const byAction = (m: Record<string, number>) => Object.entries(m).map(([k, v]) => `${k} ${num(v)}`).join(', ') || '-';

function cellLabel(c: ThroughputCell): string {
  return `${c.fleet}, Q=${c.quota}, ${c.latencyMs} ms, rps ${c.requestsPerSecond}, conc. ${c.concurrency}`;
}

export function cellMisses(c: ThroughputCell): string[] {
  const misses: string[] = [];
  if (!(c.deletionRatio >= TARGETS.quotaShare)) misses.push(`deletion rate ${f2(c.deletionRatio)} of Q (target ≥ ${TARGETS.quotaShare}, short by ${f2(TARGETS.quotaShare - c.deletionRatio)})`);
  if (!(c.throttledShare < TARGETS.throttledShare)) misses.push(`${pct(c.throttledShare)} of DeleteImage calls throttled (target < ${pct(TARGETS.throttledShare, 0)})`);
  if (c.failedItems !== 0) misses.push(`${c.failedItems} failed items (target 0)`);
  return misses;
}

/**
 * What bounds a cell, worked out from its own figures and the client's documented tuning
 * (functions/cloud/rate-limit.ts, whose constants are imported here so the text follows the code).
 */
export function whyCell(c: ThroughputCell): string[] {
  const why: string[] = [];
  const target = Math.min(c.requestsPerSecond, c.quota);
  const start = startRps(c.requestsPerSecond);
  const span = Math.max(...c.byRegion.map((r) => r.spanS));
  const lost = slowStartLossS(target, c.requestsPerSecond);
  if (lost > 0.05) {
    why.push(
      `slow start: with requestsPerSecond ${c.requestsPerSecond} (above ${TRUSTED_START_RPS}, so not taken as the quota) the client begins at ${start}/s and grows ×${TUNING.slowStartFactor} every ${TUNING.slowStartIntervalMs} ms of use; it loses ~${lost.toFixed(1)} s of full-rate time per region reaching ${target}/s, ${pct(lost / Math.max(span, 1e-9), 0)} of this ${span.toFixed(1)} s deletion phase`,
    );
  }
  if (c.requestsPerSecond < c.quota) why.push(`requestsPerSecond ${c.requestsPerSecond} caps the rate at ${f2(c.requestsPerSecond / c.quota)} Q`);
  const serial = Math.max(1, Math.round(c.sweepCallsPerItem ?? 1));
  const maxByConcurrency = (c.concurrency * 1000) / (c.latencyMs * serial);
  if (maxByConcurrency < 1.2 * c.quota) {
    why.push(
      `concurrency: ${c.concurrency} items in flight, each ${serial === 1 ? 'one call' : `${serial} calls one after another (the re-read before the delete)`} of ${c.latencyMs} ms, allow at most ${maxByConcurrency.toFixed(0)}/s (${f2(maxByConcurrency / c.quota)} Q) before any overhead`,
    );
  }
  if (c.throttledDeleteCalls > 0) {
    why.push(
      `${c.throttledDeleteCalls} Throttling answers while the client searched for Q: the emulator's quota is a bucket that starts full (Q calls of burst), so the ramp is well past Q when the first Throttling answer comes, and every call already in flight then (up to ${c.concurrency} a region at ${c.latencyMs} ms) is throttled too; after the cut (×${TUNING.cutFactor}) the rate settles at ${pct(TUNING.targetShare, 0)} of the learned ceiling. With requestsPerSecond at or below the quota the client never searches, and no call is throttled`,
    );
  }
  return why;
}

function throughputRows(cells: readonly ThroughputCell[]): Row[] {
  return cells.map((c) => ({
    section: '1 throughput',
    case: cellLabel(c),
    measured: `${f2(c.deletionRatio)} Q (whole run ${f2(c.wholeRunRatio)}, ${c.wallS.toFixed(1)} s); ${pct(c.throttledShare)} throttled; ${c.failedItems} failed`,
    target: `≥ ${TARGETS.quotaShare} Q; < ${pct(TARGETS.throttledShare, 0)}; 0`,
    verdict: c.informational ? 'info' : cellMisses(c).length === 0 ? 'ok' : 'MISSED',
  }));
}

function compareRows(cases: readonly CompareCase[]): Row[] {
  return cases.flatMap((c) => {
    const label = `${c.fleet}, Q=${c.quota}, ${c.latencyMs} ms`;
    return [
      {
        section: '2 vs sequential',
        case: label,
        measured: `${f2(c.sequential.wallRatio)}× image-gc's time (${c.sequential.wallS.toFixed(1)} s vs ${c.imageGc.wallS.toFixed(1)} s); ${c.sequential.failedItems} failed vs ${c.imageGc.failedItems}`,
        target: '-',
        verdict: 'info' as const,
      },
      {
        section: '2 vs unbounded',
        case: label,
        measured: `${f2(c.unbounded.wallRatio)}× image-gc's time (${c.unbounded.wallS.toFixed(1)} s); ${c.unbounded.failedItems} failed vs ${c.imageGc.failedItems}`,
        target: '-',
        verdict: 'info' as const,
      },
    ];
  });
}

function listingRows(cases: readonly ListingCase[]): Row[] {
  return cases.map((c) => ({
    section: '3 listing',
    case: c.name,
    measured: `${c.totalCalls} calls / minimum ${c.totalMinimum} = ${f2(c.ratio)}`,
    target: `≤ ${TARGETS.listingRatio}`,
    verdict: c.ratio <= TARGETS.listingRatio ? 'ok' : 'MISSED',
  }));
}

function scaleRows(cases: readonly ScaleCase[]): Row[] {
  return cases.flatMap((c) => [
    {
      section: '4 scale: plan',
      case: `${num(c.images)} images`,
      measured: `${c.plan.firstCpuS.toFixed(3)} s CPU cold (warm ${c.plan.warmCpuS.toFixed(3)} s)`,
      target: c.images >= TARGETS.planAtImages ? `< ${TARGETS.planCpuS} s` : '-',
      verdict: c.images >= TARGETS.planAtImages ? (c.plan.firstCpuS < TARGETS.planCpuS ? 'ok' : 'MISSED') : ('info' as Verdict),
    },
    {
      section: '4 scale: run',
      case: `${num(c.images)} images, ${c.run.mode}, cap ${num(c.run.maxDeletionsPerRun)}`,
      measured: `${c.run.wallS.toFixed(1)} s; peak RSS ${c.run.peakRssMiB.toFixed(1)} MiB (${cappedText(c)})`,
      target: `≤ ${TARGETS.peakRssMiB} MiB`,
      verdict: (c.run.peakRssMiB <= TARGETS.peakRssMiB ? 'ok' : 'MISSED') as Verdict,
    },
  ]);
}

function coldRows(c: ColdStart): Row[] {
  return [
    {
      section: '5 cold start',
      case: 'bundle size',
      measured: `${num(c.bundleBytes)} B (${kib(c.bundleBytes)}; gzip ${kib(c.bundleGzipBytes)})`,
      target: `< ${num(TARGETS.bundleBytes)} B`,
      verdict: c.bundleBytes < TARGETS.bundleBytes ? 'ok' : 'MISSED',
    },
    {
      section: '5 cold start',
      case: 'import + first client vs node -e 0',
      measured: `${f2(c.ratio)}× (${c.importMs.toFixed(0)} ms vs ${c.bareMs.toFixed(0)} ms, median of ${c.runs})`,
      target: `< ${TARGETS.importRatio}×`,
      verdict: c.ratio < TARGETS.importRatio ? 'ok' : 'MISSED',
    },
  ];
}

export function rows(r: Results): Row[] {
  return [
    ...(r.throughput ? throughputRows(r.throughput.cells) : []),
    ...(r.compare ? compareRows(r.compare.cases) : []),
    ...(r.listing ? listingRows(r.listing.cases) : []),
    ...(r.scale ? scaleRows(r.scale.cases) : []),
    ...(r.coldstart ? coldRows(r.coldstart) : []),
  ];
}

const HEADER = ['section', 'case', 'measured', 'target', 'verdict'] as const;
const cellsOf = (row: Row) => [row.section, row.case, row.measured, row.target, row.verdict];

/** The console table. */
export function renderTable(r: Results): string {
  const all = [HEADER as readonly string[], ...rows(r).map(cellsOf)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' │ ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return [line(all[0]!), rule, ...all.slice(1).map(line)].join('\n');
}

// ---------------------------------------------------------------- BENCHMARKS.md

const md = (cells: readonly (string | number)[]) => `| ${cells.map((c) => String(c).replace(/\|/g, '\\|')).join(' | ')} |`;
const mdTable = (header: readonly string[], body: ReadonlyArray<readonly (string | number)[]>) =>
  [md(header), md(header.map(() => '---')), ...body.map(md)].join('\n');

function metaLine(name: string, m: SectionMeta | undefined): string | null {
  if (!m) return null;
  const code = m.code ? `, code ${m.code.commit ?? 'unknown'}${m.code.uncommittedFiles ? ` + ${m.code.uncommittedFiles} uncommitted files` : ''}` : '';
  return `- ${name}: ${m.measuredAt}${m.quick ? ' (**--quick**)' : ''}, ${m.durationS} s, 1-min load average ${m.load1[0]} → ${m.load1[1]}${code}`;
}

function machineBlock(r: Results): string {
  const metas = [r.throughput, r.compare, r.listing, r.scale, r.coldstart].filter((m): m is NonNullable<typeof m> => m !== undefined);
  const m = metas[metas.length - 1]?.machine;
  if (!m) return 'No results yet.';
  const differ = metas.some((x) => JSON.stringify(x.machine) !== JSON.stringify(m));
  return [
    mdTable(
      ['CPU', 'cores', 'memory', 'Node', 'OS'],
      [[`${m.cpuModel}${m.cpuMHz ? ` (${m.cpuMHz} MHz)` : ''}`, `${m.cores}${m.cgroupCpuMax && !m.cgroupCpuMax.startsWith('max') ? ` (cgroup cpu.max ${m.cgroupCpuMax})` : ''}`, `${m.memoryGiB} GiB`, `${m.node} (V8 ${m.v8})`, `${m.os} ${m.arch}`]],
    ),
    '',
    'When each section was measured, and how busy the machine was (the 1-minute load average counts every process on the machine; above the core count, figures are noisy):',
    '',
    ...[
      metaLine('throughput', r.throughput),
      metaLine('compare', r.compare),
      metaLine('listing', r.listing),
      metaLine('scale', r.scale),
      metaLine('coldstart', r.coldstart),
    ].filter((x): x is string => x !== null),
    ...(differ ? ['', '**The sections were measured on different machines**: each section\'s machine is in the JSON.'] : []),
  ].join('\n');
}

function throughputSection(cells: readonly ThroughputCell[]): string {
  const body = cells.map((c) => [
    c.fleet,
    c.quota,
    c.latencyMs,
    c.requestsPerSecond,
    c.concurrency + (c.informational ? ' (info)' : ''),
    f2(c.deletionRatio),
    c.byRegion.length > 1 ? c.byRegion.map((x) => f2(x.ratio)).join(' / ') : f2(c.byRegion[0]?.ratio ?? NaN),
    c.beforeFirstDeleteS.toFixed(2),
    c.wallS.toFixed(1),
    f2(c.wholeRunRatio),
    `${c.throttledDeleteCalls} / ${c.deleteCalls} (${pct(c.throttledShare)})`,
    c.failedItems,
    c.remaining,
    c.sweepCallsPerItem === undefined ? '-' : c.sweepCallsPerItem.toFixed(2),
    c.collectorCpuS.toFixed(1),
    c.emulatorCpuS === null ? '-' : c.emulatorCpuS.toFixed(1),
    c.informational ? 'info' : cellMisses(c).length === 0 ? 'ok' : 'MISSED',
  ]);
  return mdTable(
    ['fleet', 'Q (/s/region)', 'latency (ms)', 'requestsPerSecond', 'concurrency', 'deletion rate ÷ Q (worst region)', 'per region', 'until the first DeleteImage (s)', 'whole run (s)', 'N/Q ÷ whole run', 'DeleteImage throttled', 'failed items', 'left in emulator', 'sweep calls / item', 'collector CPU (s)', 'emulator CPU (s)', 'targets'],
    body,
  );
}

function compareSection(cases: readonly CompareCase[]): string {
  const rival = (who: string, r: CompareCase['sequential']) => [
    '',
    '',
    '',
    who,
    r.wallS.toFixed(1),
    f2(r.wallRatio),
    f2(r.throughputRatio),
    r.failedItems,
    Object.entries(r.failures).map(([k, v]) => `${k} ${v}`).join(', ') || '-',
  ];
  const body = cases.flatMap((c) => [
    [c.fleet, c.quota, c.latencyMs, 'image-gc (requestsPerSecond 1000)', c.imageGc.wallS.toFixed(1), '1.00', f2(c.imageGc.throughputRatio), c.imageGc.failedItems, '-'],
    rival('sequential loop, no retries', c.sequential),
    rival('unbounded parallel, no limit, no retries', c.unbounded),
  ]);
  return mdTable(['fleet', 'Q', 'latency (ms)', 'who', 'wall (s)', 'wall ÷ image-gc', 'deleted/s ÷ Q (whole run)', 'failed items', 'failures'], body);
}

function listingSection(cases: readonly ListingCase[]): string {
  return mdTable(
    ['case', 'regions', 'images', 'pipelines / executions', 'listing calls made', 'minimum', 'ratio', 'other calls (not in the minimum)', 'verdict'],
    cases.map((c) => [
      c.name,
      c.regions,
      num(c.images),
      `${num(c.pipelines)} / ${num(c.executions)}`,
      byAction(c.calls),
      byAction(c.minimum),
      f2(c.ratio),
      byAction(c.otherCalls ?? {}),
      c.ratio <= TARGETS.listingRatio ? 'ok' : 'MISSED',
    ]),
  );
}

function cappedText(c: ScaleCase): string {
  const h = c.run.cappedHeap;
  if (!h) return '-';
  return h.peakRssMiB !== null ? `${h.peakRssMiB.toFixed(1)} MiB with --max-old-space-size=${h.maxOldSpaceMiB}` : `${h.error} with --max-old-space-size=${h.maxOldSpaceMiB}`;
}

function scaleSection(cases: readonly ScaleCase[]): string {
  return mdTable(
    ['images', 'pipelines', 'listing (s, plan child)', 'plan() items', 'plan() CPU cold (s)', 'plan() CPU warm (s)', 'live heap: inventory / plan (MiB)', 'whole run (s)', 'run mode, cap', 'outcomes', 'API calls of the run', 'listing calls / minimum', 'other inventory calls', 'peak RSS (MiB)', 'peak RSS, heap capped', 'heap at end (MiB)', 'run CPU (s)', 'audit log'],
    cases.map((c) => [
      num(c.images),
      num(c.pipelines),
      c.plan.listWallS.toFixed(2),
      num(c.plan.items),
      c.plan.firstCpuSamplesS ? `${c.plan.firstCpuS.toFixed(3)} (median of ${c.plan.firstCpuSamplesS.join(', ')})` : c.plan.firstCpuS.toFixed(3),
      c.plan.warmCpuS.toFixed(3),
      c.plan.inventoryHeapMiB == null ? '-' : `${c.plan.inventoryHeapMiB.toFixed(1)} / ${(c.plan.planHeapMiB ?? NaN).toFixed(1)}`,
      c.run.wallS.toFixed(2),
      `${c.run.mode}, ${num(c.run.maxDeletionsPerRun)}`,
      Object.entries(c.run.outcomes).map(([k, v]) => `${k} ${v}`).join(', '),
      c.run.callsByAction ? byAction(c.run.callsByAction) : num(c.run.apiCalls),
      `${num(c.run.listingCalls)} / ${num(c.run.listingMinimum)}`,
      byAction(c.run.otherCalls ?? {}),
      c.run.peakRssMiB.toFixed(1),
      cappedText(c),
      c.run.heapUsedMiB.toFixed(1),
      c.run.cpuS.toFixed(1),
      mib(c.run.logBytes),
    ]),
  );
}

function coldSection(c: ColdStart): string {
  return mdTable(
    ['bundle (dist/index.js)', 'gzip -9', 'node -e 0 (median, ms)', 'import + coldStartProbe (median, ms)', 'ratio', 'runs'],
    [[`${num(c.bundleBytes)} B`, `${num(c.bundleGzipBytes)} B`, c.bareMs.toFixed(1), c.importMs.toFixed(1), f2(c.ratio), c.runs]],
  );
}

/** The FC timeout needed so that the handler's deadline (timeout − deadlineMargin) covers `runS`. */
export function timeoutFor(runS: number): number {
  // deadlineMargin is monotonic: the smallest whole second t with t − margin(t) ≥ runS.
  let t = Math.ceil(runS);
  while (t - deadlineMargin(t * 1000) / 1000 < runS) t++;
  return t;
}

/** Where the client's rate starts (functions/cloud/rate-limit.ts): a plausible configured quota is trusted. */
export function startRps(configured: number): number {
  return configured <= TRUSTED_START_RPS ? configured : Math.min(configured, SLOW_START_RPS);
}

/** Seconds of full-rate time the client's slow start loses before it reaches `target` per second. */
export function slowStartLossS(target: number, configured = target): number {
  const start = startRps(configured);
  if (target <= start) return 0;
  const k = TUNING.slowStartFactor;
  const steps = Math.ceil(Math.log(target / start) / Math.log(k));
  const stepS = TUNING.slowStartIntervalMs / 1000;
  const delivered = (start * stepS * (k ** steps - 1)) / (k - 1);
  return Math.max(0, steps * stepS - delivered / target);
}

/** s.yaml's function timeout and memory, if the file is there. */
function deployed(): { timeoutS: number; memoryMB: number } | null {
  try {
    const text = readFileSync(join(ROOT, 's.yaml'), 'utf8');
    const timeout = /^\s*timeout:\s*(\d+)/m.exec(text)?.[1];
    const memory = /^\s*memorySize:\s*(\d+)/m.exec(text)?.[1];
    return timeout && memory ? { timeoutS: Number(timeout), memoryMB: Number(memory) } : null;
  } catch {
    return null;
  }
}

function sizingSection(r: Results): string | null {
  const judged = r.throughput?.cells.filter((c) => !c.informational) ?? [];
  if (judged.length === 0) return null;
  // The steady rate: cells whose deletion phase is long enough for the ramp not to matter.
  const steady = judged.filter((c) => Math.max(...c.byRegion.map((x) => x.spanS)) >= 30);
  const rate = Math.min(...(steady.length > 0 ? steady : judged).map((c) => c.deletionRatio));
  const big = r.scale?.cases[r.scale.cases.length - 1];
  const listing = big ? big.plan.listWallS : Math.max(...judged.map((c) => c.beforeFirstDeleteS));
  const perRegion = big ? Math.round((big.images * 0.95) / big.regions) : 0;
  const pageS = big ? listing / Math.ceil(perRegion / 100) : 0;
  const quotas = [5, 10, 20, 50, 100];
  const counts = [20, 100, 500, 1_000, 2_000, 5_000, 10_000];
  const runS = (n: number, q: number) => listing + slowStartLossS(q) + n / (rate * q);
  const body = counts.map((n) => [num(n), ...quotas.map((q) => `${Math.ceil(runS(n, q))} s → ${timeoutFor(runS(n, q))} s`)]);
  const rssList = r.scale?.cases.map((c) => `${c.run.peakRssMiB.toFixed(0)} MiB at ${num(c.images)} images (${cappedText(c)})`).join(', ');
  const maxRss = r.scale ? Math.max(...r.scale.cases.map((c) => c.run.peakRssMiB)) : null;
  const capped = (r.scale?.cases ?? []).map((c) => c.run.cappedHeap?.peakRssMiB ?? null);
  const cappedMax = capped.length > 0 && capped.every((x) => x !== null) ? Math.max(...(capped as number[])) : null;
  const dep = deployed();
  const lines = [
    `A run of N deletions in one region at an effective quota Q (the smaller of the cloud's quota and the policy's \`requestsPerSecond\`; the client never exceeds the latter) takes about`,
    '',
    '    T = listing + slow start + N ÷ (r · Q)',
    '',
    `- r = ${f2(rate)}: the worst deletion rate ÷ Q measured in §1 over ${steady.length > 0 ? 'deletion phases of 30 s or more (where the ramp does not matter)' : 'all judged cells'}.`,
    `- slow start: none while requestsPerSecond ≤ ${TRUSTED_START_RPS} (the client starts at it); above, the ramp from ${SLOW_START_RPS}/s (×${TUNING.slowStartFactor} every ${TUNING.slowStartIntervalMs} ms) loses ${quotas.map((q) => `${slowStartLossS(q, 1000).toFixed(1)} s at Q = ${q}`).join(', ')}.`,
    big
      ? `- listing = ${listing.toFixed(1)} s: the whole inventory of the ${num(big.images)}-image fleet (§4, ${num(perRegion)} images a region) at ${big.latencyMs} ms a call. Page 1 of each listing gives the total and the other pages go out together, bounded by the policy's concurrency and requestsPerSecond (for the listing action): ${(pageS * 1000).toFixed(0)} ms a 100-image page here. With the real API, budget ceil(images in the largest region ÷ 100) ÷ requestsPerSecond seconds, or × latency ÷ concurrency if that is longer.`
      : `- listing = ${listing.toFixed(1)} s: the longest listing of the §1 fleets.`,
    '- Deletions in different regions run in parallel, each against its own quota; E-HPC images take two calls each (RemoveImage, then DeleteImage, on two quotas).',
    '',
    `The handler starts no deletion after timeout − deadlineMargin(timeout) (max(30 s, 10 % of it), at most 300 s), so the FC timeout must be at least the second figure of each cell (T → minimum timeout). Add headroom (×1.5, say) for a slower cloud and for throttling by other users of the same quota.`,
    '',
    mdTable(['maxDeletionsPerRun N', ...quotas.map((q) => `Q = ${q}/s`)], body),
    '',
    `Memory: peak RSS ${rssList ?? '(scale not measured)'} (one whole run of the deployed bundle in a process of its own).`,
  ];
  if (dep) {
    const budget = dep.timeoutS - deadlineMargin(dep.timeoutS * 1000) / 1000;
    const fits = quotas.map((q) => `${num(Math.max(0, Math.floor((budget - listing - slowStartLossS(q)) * rate * q)))} at Q = ${q}`).join(', ');
    lines.push(
      '',
      `s.yaml now: timeout ${dep.timeoutS} s, memorySize ${dep.memoryMB} MB. Deletions start until ${budget.toFixed(0)} s into the run, which fits about ${fits} deletions per run (one region, the listing above).${
        maxRss !== null ? ` The largest peak RSS measured is ${pct((maxRss * 1.048576) / dep.memoryMB, 0)} of ${dep.memoryMB} MB${cappedMax !== null ? `; with the heap capped (--max-old-space-size=${r.scale?.cases[0]?.run.cappedHeap?.maxOldSpaceMiB}) ${pct((cappedMax * 1.048576) / dep.memoryMB, 0)}` : ''}.` : ''
      }`,
    );
  }
  return lines.join('\n');
}

function missedSection(r: Results): string {
  const out: string[] = [];
  for (const c of r.throughput?.cells ?? []) {
    if (c.informational) continue;
    const m = cellMisses(c);
    if (m.length > 0) out.push(`- §1 ${cellLabel(c)}: ${m.join('; ')}. Bounded by: ${whyCell(c).join('; ') || 'nothing the figures explain'}.`);
  }
  for (const c of r.listing?.cases ?? []) {
    if (c.ratio > TARGETS.listingRatio) out.push(`- §3 ${c.name}: ${c.totalCalls} calls against a minimum of ${c.totalMinimum} (${f2(c.ratio)}×, target ≤ ${TARGETS.listingRatio}).`);
  }
  for (const c of r.scale?.cases ?? []) {
    if (c.images >= TARGETS.planAtImages && !(c.plan.firstCpuS < TARGETS.planCpuS)) out.push(`- §4 plan() of ${num(c.images)} images took ${c.plan.firstCpuS.toFixed(3)} s of CPU (target < ${TARGETS.planCpuS} s).`);
    if (c.run.peakRssMiB > TARGETS.peakRssMiB) {
      out.push(
        `- §4 peak RSS ${c.run.peakRssMiB.toFixed(1)} MiB at ${num(c.images)} images (target ≤ ${TARGETS.peakRssMiB} MiB, over by ${(c.run.peakRssMiB - TARGETS.peakRssMiB).toFixed(1)} MiB). With the V8 heap capped: ${cappedText(c)}. V8 sizes its heap from the machine's memory and collects lazily below that; the live data itself (inventory and plan of ${num(c.plan.items)} items, held for the whole run${
          c.plan.inventoryHeapMiB != null ? `: ${c.plan.inventoryHeapMiB.toFixed(0)} MiB of inventory, ${(c.plan.planHeapMiB ?? NaN).toFixed(0)} MiB of plan, ${((c.plan.inventoryHeapMiB * 1024 ** 2) / c.plan.items).toFixed(0)} bytes an inventory item` : ''
        }) is what a cap cannot go below.`,
      );
    }
  }
  const cs = r.coldstart;
  if (cs && cs.bundleBytes >= TARGETS.bundleBytes) out.push(`- §5 bundle ${num(cs.bundleBytes)} B (target < ${num(TARGETS.bundleBytes)} B).`);
  if (cs && !(cs.ratio < TARGETS.importRatio)) {
    out.push(
      `- §5 cold import ${f2(cs.ratio)}× bare Node (target < ${TARGETS.importRatio}×, over by ${f2(cs.ratio - TARGETS.importRatio)}×): loading, parsing and compiling the ${kib(cs.bundleBytes)} bundle and building the first client add ${(cs.importMs - cs.bareMs).toFixed(0)} ms to Node's own ${cs.bareMs.toFixed(0)} ms; the target allows ${cs.bareMs.toFixed(0)} ms. Both sides are process start-ups and scale with how busy the machine is (see the load average above).`,
    );
  }
  const info = (r.throughput?.cells ?? []).filter((c) => c.informational);
  const infoLines = info.map((c) => `- (not judged) §1 ${cellLabel(c)}: ${f2(c.deletionRatio)} Q. Bounded by: ${whyCell(c).join('; ') || '-'}.`);
  const missed = out.length === 0 ? 'None: every target was met in these results.' : out.join('\n');
  return infoLines.length > 0 ? `${missed}\n\n${infoLines.join('\n')}` : missed;
}

const notesFile = join(ROOT, 'test/bench/NOTES.md');

/** BENCHMARKS.md, whole. */
export function renderMarkdown(r: Results): string {
  let notes = '';
  try {
    notes = readFileSync(notesFile, 'utf8').trim();
  } catch {
    notes = '';
  }
  const parts = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (test/bench/report.ts) from bench-results/latest.json. Do not edit: re-run the bench, or `npx tsx test/bench/report.ts`. The "How to reproduce" and "Method" sections come from test/bench/NOTES.md. -->',
    '',
    'image-gc against the emulator (test/emulator) over real HTTP, the emulator in a process of its own. What each figure means and how it is measured: "Method" below; the targets are issue #6\'s.',
    '',
    '## Machine',
    '',
    machineBlock(r),
    '',
    '## All figures',
    '',
    mdTable(HEADER, rows(r).map(cellsOf)),
    '',
    '## Targets missed',
    '',
    missedSection(r),
  ];
  if (r.throughput) parts.push('', '## 1. Deletion throughput against the quota', '', throughputSection(r.throughput.cells));
  if (r.compare) parts.push('', '## 2. Against what a user would write instead', '', compareSection(r.compare.cases));
  if (r.listing) parts.push('', '## 3. Listing cost', '', listingSection(r.listing.cases));
  if (r.scale) parts.push('', '## 4. Scale', '', scaleSection(r.scale.cases));
  if (r.coldstart) parts.push('', '## 5. Cold start', '', coldSection(r.coldstart));
  const sizing = sizingSection(r);
  if (sizing) parts.push('', '## Sizing the function (s.yaml)', '', sizing);
  if (notes) parts.push('', notes);
  return `${parts.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2] ?? join(RESULTS_DIR, 'latest.json');
  const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), renderMarkdown(results));
  process.stdout.write(`${renderTable(results)}\nBENCHMARKS.md regenerated from ${file}\n`);
}

