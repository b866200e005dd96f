/**
 * The audit log: one JSON object per line on stdout, which Function Compute ships to SLS as is.
 * Written synchronously, so nothing is lost when the instance is frozen after the handler returns
 * or the process is killed mid-run. Event names and fields are a stable interface (README, "Audit
 * log"): operators' saved queries and alerts depend on them.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import type { ListingFailure, LookupFailure, ResourceKind } from '../inventory/types.js';
import type { AbortedGroup, PlanItem } from '../plan/types.js';
import type { ItemOutcome, SnapshotOutcome } from '../sweep/types.js';
import { REDACTED, SECRET_FIELD_PATHS, redactor } from './secrets.js';
import type { RunSummary } from './summary.js';

export const EVENTS = {
  runStart: 'run.start',
  listed: 'inventory.listed',
  listFailed: 'inventory.failed',
  decision: 'item.decision',
  deleting: 'item.deleting',
  outcome: 'item.outcome',
  apiError: 'api.error',
  groupAborted: 'group.aborted',
  runFinish: 'run.finish',
  runRejected: 'run.rejected',
  runWarning: 'run.warning',
  snapshotOutcome: 'snapshot.outcome',
  lookupFailed: 'references.failed',
} as const;
export type EventName = (typeof EVENTS)[keyof typeof EVENTS];

export interface AuditLogOptions {
  readonly runId: string;
  /** Where lines go; stdout (fd 1, synchronous) when absent. */
  readonly destination?: DestinationStream;
  /** Values to redact wherever they appear in a line. */
  readonly secrets: readonly string[];
  readonly level?: 'debug' | 'info' | 'warn' | 'error';
}

export interface RunStartFields {
  readonly mode: string;
  readonly modeReason: string;
  readonly policyFile: string;
  readonly policySha256: string;
  readonly regions: readonly string[];
  readonly kinds: readonly ResourceKind[];
  readonly now: string;
  readonly deadline: string | null;
  readonly trigger: Record<string, unknown> | null;
  readonly version: string;
  /** `apply` when the run carries out a reviewed plan file (gc apply); absent for a scheduled or CLI run. */
  readonly command?: 'apply';
  /** apply: the plan file and its checksum. */
  readonly planFile?: string;
  readonly planChecksum?: string;
}

export interface ApiErrorFields {
  readonly action: string;
  readonly region: string;
  readonly code: string;
  readonly httpStatus: number;
  readonly requestId: string | null;
  readonly errorClass: string;
  readonly attempts: number;
  readonly message: string;
}

export class AuditLog {
  readonly runId: string;
  private readonly logger: Logger;

  constructor(opts: AuditLogOptions) {
    this.runId = opts.runId;
    const redact = redactor(opts.secrets);
    this.logger = pino(
      {
        level: opts.level ?? 'info',
        base: { app: 'image-gc', runId: opts.runId },
        messageKey: 'msg',
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: SECRET_FIELD_PATHS, censor: REDACTED },
        hooks: { streamWrite: redact },
      },
      opts.destination ?? pino.destination({ dest: 1, sync: true }),
    );
  }

  runStart(f: RunStartFields): void {
    const what = f.command === 'apply' ? `apply of plan ${f.planFile ?? '?'}` : 'run';
    this.logger.info({ event: EVENTS.runStart, ...f }, `${what} ${this.runId} started in ${f.mode} (${f.modeReason})`);
  }

  listed(f: { kind: ResourceKind; region: string; count: number; warnings: readonly string[]; durationMs: number }): void {
    this.logger.info(
      { event: EVENTS.listed, kind: f.kind, region: f.region, count: f.count, durationMs: f.durationMs, warnings: f.warnings.join('; ') },
      `listed ${f.count} ${f.kind} in ${f.region}`,
    );
  }

  listFailed(f: ListingFailure & { durationMs: number }): void {
    this.logger.error(
      { event: EVENTS.listFailed, ...f },
      `listing ${f.kind} in ${f.region} failed (${f.code}): nothing of it is decided on or deleted in this run`,
    );
  }

  /** `api`: the fields the API answered for the item (InventoryItem.raw), the evidence behind the facts. */
  decision(p: PlanItem, mode: string, ageDays: number | null, api: Readonly<Record<string, unknown>> | null = null): void {
    const level = p.decision === 'abort' ? 'warn' : 'info';
    this.logger[level](
      {
        event: EVENTS.decision,
        mode,
        kind: p.kind,
        region: p.region,
        id: p.id,
        name: p.name,
        createdAt: p.createdAt,
        ageDays,
        sizeGiB: p.sizeGiB,
        decision: p.decision,
        rule: p.rule,
        // SLS cannot index arrays: the first reason as its own field, all of them as one string.
        reason: p.reasons[0] ?? null,
        reasons: p.reasons.join(','),
        detail: p.detail,
        group: p.group,
        markedAt: p.markedAt,
        warnings: p.warnings.join('; '),
        // One text field: its keys differ by kind, and SLS indexes a JSON leaf only by a fixed path.
        api: api === null ? null : JSON.stringify(api),
        // Under deleteSnapshots: `s-1:delete:40GiB, s-2:keep:…` and the GiB that would go with the image.
        ...(p.snapshots !== undefined && {
          snapshots: p.snapshots.map((x) => `${x.id}:${x.action}:${x.sizeGiB ?? '?'}GiB (${x.detail})`).join('; '),
          snapshotGiB: p.snapshots.reduce((a, x) => a + (x.action === 'delete' ? (x.sizeGiB ?? 0) : 0), 0),
        }),
      },
      `${p.decision} ${p.kind} ${p.id} (${p.name}): ${p.detail}`,
    );
  }

  /**
   * Written right before the delete call: if the process dies before the answer (a kill, FC's
   * timeout), the audit still shows the attempt, and `gc audit unfinished` lists it.
   */
  deleting(p: PlanItem): void {
    this.logger.info(
      { event: EVENTS.deleting, kind: p.kind, region: p.region, id: p.id, name: p.name, rule: p.rule },
      `deleting ${p.kind} ${p.id} (${p.name})`,
    );
  }

  outcome(o: ItemOutcome): void {
    const level = o.outcome === 'failed' ? 'error' : o.outcome === 'refused' || o.outcome === 'skipped' ? 'warn' : 'info';
    this.logger[level](
      { event: EVENTS.outcome, ...o, steps: o.steps.join(' ') },
      `${o.outcome} ${o.kind} ${o.id} (${o.name})${o.code ? `: ${o.code}` : ''}`,
    );
  }

  /** One snapshot behind a deleted image: deleted, kept, refused… (sweep/snapshots.ts). */
  snapshotOutcome(o: SnapshotOutcome): void {
    const level = o.outcome === 'failed' ? 'error' : o.outcome === 'refused' || o.outcome === 'skipped' ? 'warn' : 'info';
    this.logger[level](
      { event: EVENTS.snapshotOutcome, ...o, steps: o.steps.join(' ') },
      `snapshot ${o.snapshotId} of ${o.kind} ${o.imageId}: ${o.outcome}${o.code ? ` (${o.code})` : ''}: ${o.detail}`,
    );
  }

  /** An in-use lookup failed: every image of the region is protected in this run. */
  lookupFailed(f: LookupFailure): void {
    this.logger.error(
      { event: EVENTS.lookupFailed, ...f },
      `in-use lookup of ${f.lookup} in ${f.region} failed (${f.action}: ${f.code}): every image there is protected in this run`,
    );
  }

  apiError(f: ApiErrorFields): void {
    const level = f.errorClass === 'final' ? 'warn' : 'error';
    this.logger[level]({ event: EVENTS.apiError, ...f }, `${f.action} in ${f.region || '-'} failed with ${f.code} after ${f.attempts} attempt(s)`);
  }

  groupAborted(g: AbortedGroup): void {
    this.logger.error(
      { event: EVENTS.groupAborted, ...g },
      `${g.kind} in ${g.region}: ${g.candidates} of ${g.listed} listed (${g.percent}%) would go, above maxDeletionPercent ${g.limit}: nothing of it is deleted`,
    );
  }

  /** Nothing was listed or changed: the inputs (policy, trigger payload) are not acceptable. */
  runRejected(reason: string, errors: readonly string[]): void {
    this.logger.error({ event: EVENTS.runRejected, reason, errors }, `run ${this.runId} rejected: ${reason}`);
  }

  /** A warning about the run as a whole (an ignored ask for enforce, say). */
  warn(event: EventName, msg: string, fields: Record<string, unknown> = {}): void {
    this.logger.warn({ event, ...fields }, msg);
  }

  runFinish(s: RunSummary): void {
    const level = s.exitStatus === 0 ? 'info' : 'warn';
    // runId is already on every line (base): spreading it again would write the key twice.
    const { runId: _runId, ...fields } = s;
    this.logger[level]({ event: EVENTS.runFinish, ...fields }, `run ${this.runId} finished: ${s.outcomes.deleted} deleted, ${s.outcomes.failed} failed, ${s.outcomes.refused} refused`);
  }
}
