/**
 * Durations as the policy spells them: a positive integer and a unit, `12h`, `30d`, `4w`.
 * No months or years: their length varies, and an age rule must mean the same thing every run.
 */

const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;
const DURATION = /^([1-9][0-9]{0,5})(h|d|w)$/;

/** Why `text` is not a duration, or null when it is one. */
export function durationProblem(text: string): string | null {
  if (DURATION.test(text)) return null;
  return `'${text}' is not a duration: write a positive whole number and a unit h, d or w (12h, 30d, 4w)`;
}

export function parseDuration(text: string): number {
  const m = DURATION.exec(text);
  if (!m) throw new Error(durationProblem(text) ?? `bad duration ${text}`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** `30d`, `36h`, `2w` back from milliseconds, for messages. */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.w === 0) return `${ms / UNIT_MS.w}w`;
  if (ms % UNIT_MS.d === 0) return `${ms / UNIT_MS.d}d`;
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  return `${Math.round(ms / 60_000)}m`;
}
