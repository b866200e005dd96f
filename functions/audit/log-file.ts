/**
 * Reading the function's log lines from a file: what `gc run --log FILE` writes, the function's
 * stdout, or an export of its logstore. A line is one audit event, or an SLS row whose `message`
 * holds one; anything else (FC's own "FC Invoke Start" lines, blank lines) is counted and skipped.
 */
import { readFileSync } from 'node:fs';

export type AuditLine = Readonly<Record<string, unknown>> & { readonly event: string; readonly time: string; readonly runId: string };

export interface AuditLog {
  /** In file order; queries sort where order matters. */
  readonly lines: readonly AuditLine[];
  /** Lines that were not image-gc audit events. */
  readonly skipped: number;
}

function asEvent(value: unknown): AuditLine | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if (o['app'] === 'image-gc' && typeof o['event'] === 'string' && typeof o['time'] === 'string' && typeof o['runId'] === 'string') return o as AuditLine;
  // An SLS row: the audit line is the text of its `message` field.
  if (typeof o['message'] === 'string' && o['message'].startsWith('{')) return asEvent(tryParse(o['message']));
  return null;
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function parseAuditLog(text: string): AuditLog {
  const lines: AuditLine[] = [];
  let skipped = 0;
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    const event = asEvent(tryParse(raw));
    if (event) lines.push(event);
    else skipped++;
  }
  return { lines, skipped };
}

export function readAuditLog(file: string): AuditLog {
  return parseAuditLog(readFileSync(file, 'utf8'));
}

/** A field by its dotted path (`decisions.defer`), as SLS names JSON leaves. */
export function field(line: AuditLine, path: string): unknown {
  let v: unknown = line;
  for (const key of path.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export const text = (line: AuditLine, path: string): string | null => {
  const v = field(line, path);
  return v === undefined || v === null ? null : String(v);
};

export const num = (line: AuditLine, path: string): number => {
  const v = field(line, path);
  return typeof v === 'number' ? v : 0;
};
