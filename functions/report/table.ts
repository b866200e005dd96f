/** Plain-text tables for people at a terminal: the plan, the outcomes, the summary. */
import type { PlanItem } from '../plan/types.js';
import type { ItemOutcome, SnapshotOutcome } from '../sweep/types.js';
import type { plannedStorage, RunSummary, StorageSummary } from './summary.js';

export interface TableOptions {
  /** ANSI colours (only on a TTY). */
  readonly color: boolean;
  /** Longest name shown before it is cut. */
  readonly nameWidth?: number;
}

const COLORS: Record<string, string> = {
  delete: '31', abort: '31', failed: '31', deleted: '31',
  mark: '33', wait: '33', defer: '33', refused: '33', skipped: '33',
  protect: '32', keep: '32', unmark: '36', marked: '33', unmarked: '36', 'already-gone': '90',
  kept: '32',
};

function paint(text: string, key: string, color: boolean): string {
  const code = COLORS[key];
  return color && code ? `\u001b[${code}m${text}\u001b[0m` : text;
}

function cut(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, width - 1)}~`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>, colorKeyColumn: number | null, color: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[], isHeader: boolean) =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0);
        return !isHeader && i === colorKeyColumn ? paint(padded, c, color) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header, true), ...rows.map((r) => line(r, false))].join('\n');
}

export function ageText(createdAt: string | null, now: Date): string {
  if (createdAt === null) return '?';
  const days = (now.getTime() - new Date(createdAt).getTime()) / 86_400_000;
  if (days < 0) return 'future';
  if (days < 1) return `${Math.floor(days * 24)}h`;
  return `${Math.floor(days)}d`;
}

export function planTable(items: readonly PlanItem[], now: Date, opts: TableOptions): string {
  const w = opts.nameWidth ?? 32;
  const rows = items.map((p) => [p.kind, p.region, p.id, cut(p.name, w), ageText(p.createdAt, now), p.decision, p.rule ?? '-', p.reasons.join(',') || '-']);
  return renderTable(['KIND', 'REGION', 'ID', 'NAME', 'AGE', 'DECISION', 'RULE', 'REASON'], rows, 5, opts.color);
}

export function outcomeTable(outcomes: readonly ItemOutcome[], opts: TableOptions): string {
  const w = opts.nameWidth ?? 32;
  const rows = outcomes.map((o) => [o.kind, o.region, o.id, cut(o.name, w), o.outcome, o.code ?? '-', o.steps.join(' ')]);
  return renderTable(['KIND', 'REGION', 'ID', 'NAME', 'OUTCOME', 'CODE', 'CALLS'], rows, 4, opts.color);
}

/** The snapshots of deleted images (deleteSnapshots): what became of each, and why. */
export function snapshotTable(outcomes: readonly SnapshotOutcome[], opts: TableOptions): string {
  const rows = outcomes.map((o) => [o.imageId, o.snapshotId, o.sizeGiB === null ? '?' : String(o.sizeGiB), o.outcome, o.code ?? '-', o.detail]);
  return renderTable(['IMAGE', 'SNAPSHOT', 'GIB', 'OUTCOME', 'CODE', 'DETAIL'], rows, 3, opts.color);
}

export function countsLine(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';
}

export function summaryText(s: RunSummary): string {
  const lines = [
    `run ${s.runId} (${s.mode}) in ${(s.durationMs / 1000).toFixed(1)} s: ${s.listed} items listed, ${s.apiCalls} API calls (${s.throttled} throttled)`,
    `decisions: ${countsLine(s.decisions)}`,
    `outcomes:  ${countsLine(s.outcomes)}`,
    ...storageLines(s.storage, s.mode, s.snapshotOutcomes),
  ];
  for (const f of s.lookupFailures) lines.push(`IN-USE LOOKUP FAILED ${f.lookup} in ${f.region}: ${f.action} ${f.code}: every image there was protected`);
  for (const g of s.aborted) lines.push(`ABORTED ${g.kind} in ${g.region}: ${g.candidates}/${g.listed} (${g.percent}%) over maxDeletionPercent ${g.limit}`);
  for (const f of s.listingFailures) lines.push(`LISTING FAILED ${f.kind} in ${f.region}: ${f.code} ${f.message}`);
  if (s.leftByDeadline > 0) lines.push(`LEFT for the next run (deadline): ${s.leftByDeadline}`);
  return lines.join('\n');
}

function price(st: StorageSummary): string {
  const where = st.priceSource === 'default' ? 'default placeholder price; set costs in the policy' : 'policy price';
  return `${st.pricePerGiBMonth} ${st.currency}/GiB-month, ${where}`;
}

/** The storage lines of the summary: images and snapshots apart, and what the snapshots save. */
export function storageLines(st: StorageSummary, mode: string, snapshots?: Readonly<Record<string, number>>): string[] {
  const lines = [`reclaimed: images ${st.imageGiB} GiB (${st.imagesDeleted} deleted; nominal: an image frees no storage by itself), snapshots ${st.snapshotGiB} GiB (${st.snapshotsDeleted} deleted)`];
  if (snapshots !== undefined) {
    const kept = Object.entries(snapshots).filter(([k, n]) => k !== 'deleted' && n > 0).map(([k, n]) => `${k} ${n}`);
    if (kept.length > 0) lines.push(`snapshots not deleted: ${kept.join(', ')}`);
  }
  if (mode === 'enforce') lines.push(`estimated saving: ${st.estimatedMonthlySaving} ${st.currency}/month (${price(st)})`);
  if (st.plannedSnapshots > 0 || st.plannedSnapshotsKept > 0) {
    lines.push(
      `planned: ${st.plannedSnapshots} snapshots free to delete with their images (${st.plannedSnapshotGiB} GiB, ${st.plannedMonthlySaving} ${st.currency}/month at ${price(st)}); ${st.plannedSnapshotsKept} kept`,
    );
  }
  return lines;
}

/** For `plan`: each image the plan deletes with its snapshots, and what the snapshots would free. */
export function snapshotPlanLines(items: readonly PlanItem[], st: ReturnType<typeof plannedStorage>): string[] {
  const lines: string[] = [];
  for (const p of items) {
    if (p.snapshots === undefined) continue;
    const parts = p.snapshots.map((x) => `${x.id} (${x.sizeGiB ?? '?'} GiB) ${x.action === 'delete' ? 'would be deleted' : `kept: ${x.detail}`}`);
    lines.push(`snapshots of ${p.id}: ${parts.length === 0 ? 'none' : parts.join('; ')}`);
  }
  if (lines.length > 0 || st.plannedImages > 0) {
    const where = st.priceSource === 'default' ? 'default placeholder price; set costs in the policy' : 'policy price';
    lines.push(
      `storage: ${st.plannedImages} images (${st.plannedImageGiB} GiB nominal, frees nothing by itself); ${st.plannedSnapshots} snapshots would go (${st.plannedSnapshotGiB} GiB): about ${st.plannedMonthlySaving} ${st.currency}/month at ${st.pricePerGiBMonth} ${st.currency}/GiB-month (${where})`,
    );
  }
  return lines;
}
