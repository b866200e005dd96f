/**
 * Loading a retention policy: bytes in, either a compiled Policy or every error at once, each
 * with file, line, column and path. Never throws, whatever the input: an unexpected exception
 * becomes an error in the list, because a crash here would be reported as "nothing happened".
 *
 * Order of work: size (before anything else, so a huge file costs nothing), UTF-8, YAML
 * (yaml-source.ts), schema (schema.ts, explained by issues.ts) and cross-value checks
 * (semantic.ts), all collected; then compile.ts when there were none.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { compilePolicy } from './compile.js';
import { formatPath, formatPolicyErrors, sortPolicyErrors, type PolicyError } from './errors.js';
import { explainIssues, type Finding } from './issues.js';
import { policySchema } from './schema.js';
import { semanticFindings } from './semantic.js';
import type { Policy } from './types.js';
import { bytePosition, firstInvalidUtf8 } from './utf8.js';
import { readYaml, type PathSegment } from './yaml-source.js';
import { isRecord } from '../inventory/fields.js';

export { formatPolicyErrors, type PolicyError };

/** 1 MiB. A real policy is a few kilobytes; anything near this is a mistake or an attack. */
export const MAX_POLICY_BYTES = 1024 * 1024;
/**
 * A real policy never has this many mistakes; a file that does (the wrong file, or garbage) gets
 * the first ones and a count, rather than tens of thousands of lines in the log.
 */
export const MAX_REPORTED_ERRORS = 200;

export type LoadResult =
  | {
      readonly ok: true;
      readonly policy: Policy;
      /** The validated document: as written, with defaults filled in. Plain data, safe to log. */
      readonly document: unknown;
      /** Hex SHA-256 of the raw bytes, to tie every run's log to the exact file it obeyed. */
      readonly sha256: string;
    }
  | { readonly ok: false; readonly errors: PolicyError[] };


function rejected(errors: readonly PolicyError[]): LoadResult {
  const sorted = sortPolicyErrors(errors);
  if (sorted.length <= MAX_REPORTED_ERRORS) return { ok: false, errors: sorted };
  const next = sorted[MAX_REPORTED_ERRORS]!;
  const more = sorted.length - MAX_REPORTED_ERRORS;
  const summary = { ...next, path: '', message: `and ${more} more errors from here on, not shown; is this the right file?` };
  return { ok: false, errors: [...sorted.slice(0, MAX_REPORTED_ERRORS), summary] };
}

function failure(file: string, message: string, line = 1, column = 1): LoadResult {
  return { ok: false, errors: [{ file, line, column, path: '', message }] };
}

function notAMapping(value: unknown): string {
  const what = value === null ? null : Array.isArray(value) ? 'a list' : `a single value (${typeof value})`;
  if (what === null) return 'the policy is empty: it needs at least version: 1, regions and rules';
  return `a policy is a mapping of keys (version, mode, regions, limits, protect, rules), not ${what}`;
}

function load(text: string | Uint8Array, file: string): LoadResult {
  if (typeof text !== 'string' && !(text instanceof Uint8Array)) {
    return failure(file, `the policy must be given as text or bytes, not ${text === null ? 'null' : typeof text}`);
  }
  const size = typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : text.byteLength;
  if (size > MAX_POLICY_BYTES) {
    return failure(file, `the policy is ${size} bytes; the limit is ${MAX_POLICY_BYTES} bytes (1 MiB)`);
  }
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  let source: string;
  if (typeof text === 'string') source = text;
  else {
    try {
      source = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      const offset = Math.max(0, firstInvalidUtf8(bytes));
      const { line, column } = bytePosition(bytes, offset);
      const byte = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
      return failure(file, `the file is not UTF-8: byte 0x${byte} cannot start a character here; save the file as UTF-8`, line, column);
    }
  }

  const read = readYaml(source);
  const at = (offset: number, path: readonly PathSegment[], message: string): PolicyError => {
    const { line, col } = read.lineCounter.linePos(offset);
    return { file, line: Math.max(1, line), column: Math.max(1, col), path: formatPath(path), message };
  };
  const located = (f: Finding): PolicyError => at(read.map.offsetOf(f.path, f.at), f.path, f.message);

  const problemPaths = read.map.pathsAt(read.problems.map((p) => p.offset));
  const errors = read.problems.map((p, i) => at(p.offset, problemPaths[i]!, p.message));
  const value = read.value;
  if (value !== undefined && !isRecord(value)) {
    // An empty file whose only fault is YAML syntax already has its error; say "empty" otherwise.
    if (!(value === null && errors.length > 0)) errors.push(at(read.map.offsetOf([], 'value'), [], notAMapping(value)));
  }
  if (!isRecord(value)) return rejected(errors);

  const parsed = policySchema.safeParse(value);
  const findings = [...(parsed.success ? [] : explainIssues(parsed.error.issues, value)), ...semanticFindings(value)];
  errors.push(...findings.map(located));
  if (errors.length > 0) return rejected(errors);
  if (!parsed.success) return failure(file, 'the policy is not valid, but no error could be placed (this is a bug in image-gc)');
  return { ok: true, policy: compilePolicy(parsed.data), document: parsed.data, sha256 };
}

/** Load a policy from its text or bytes. `file` names it in errors. Never throws. */
export function loadPolicy(input: { text: string | Uint8Array; file: string }): LoadResult {
  const file = typeof input?.file === 'string' ? input.file : '<policy>';
  try {
    return load(input.text, file);
  } catch (e) {
    return failure(file, `could not load the policy: ${e instanceof Error ? e.message : String(e)} (this is a bug in image-gc)`);
  }
}

/**
 * Read and load a policy file. Synchronous: it runs once at start-up, before anything else can
 * happen. A missing or unreadable file is one error at 1:1. Never throws.
 */
export function loadPolicyFile(path: string): LoadResult {
  try {
    const info = statSync(path);
    if (!info.isFile()) return failure(path, 'cannot read the policy: it is not a regular file');
    // Refuse a huge file without reading it.
    if (info.size > MAX_POLICY_BYTES) {
      return failure(path, `the policy is ${info.size} bytes; the limit is ${MAX_POLICY_BYTES} bytes (1 MiB)`);
    }
    return loadPolicy({ text: readFileSync(path), file: path });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    return failure(path, `cannot read the policy: ${reason}`);
  }
}
