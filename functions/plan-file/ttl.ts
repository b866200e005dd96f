/** How long a plan may be applied: `--ttl`, in the policy's duration grammar (12h, 3d, 1w). */
import { durationProblem, parseDuration } from '../policy/duration.js';

export const DEFAULT_TTL = '24h';
export const MAX_TTL = '7d';
const MAX_TTL_MS = parseDuration(MAX_TTL);

/** The TTL in ms, or the reason it is not acceptable. */
export function parseTtl(text: string): { ok: true; ms: number } | { ok: false; message: string } {
  const problem = durationProblem(text);
  if (problem !== null) return { ok: false, message: `--ttl: ${problem}` };
  const ms = parseDuration(text);
  if (ms > MAX_TTL_MS) return { ok: false, message: `--ttl ${text} is longer than ${MAX_TTL}: a plan reviewed that long ago describes a different fleet; make a new one` };
  return { ok: true, ms };
}
