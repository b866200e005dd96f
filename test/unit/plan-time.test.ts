/**
 * The planner's reading of times: strict, so that an unreadable or ambiguous time becomes
 * "unknown age" (protected) instead of a guess.
 */
import { describe, expect, it } from 'vitest';
import { formatAge, parseIsoTime } from '../../functions/plan/time.js';

describe('parseIsoTime', () => {
  it.each([
    ['2025-06-01T12:00:00Z', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T12:00:00.250Z', Date.UTC(2025, 5, 1, 12, 0, 0, 250)],
    ['2025-06-01T12:00:00.123456789Z', Date.UTC(2025, 5, 1, 12, 0, 0, 123)],
    ['2025-06-01T20:00:00+08:00', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01T07:30-04:30', Date.UTC(2025, 5, 1, 12)],
    ['2025-06-01t12:00:00z', Date.UTC(2025, 5, 1, 12)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('reads %s', (text, ms) => {
    expect(parseIsoTime(text)).toBe(ms);
  });

  it.each([
    ['no zone: would be read in the local zone', '2025-06-01T12:00:00'],
    ['date only', '2025-06-01'],
    ['day that does not exist', '2025-02-29T00:00:00Z'],
    ['hour 24', '2025-06-01T24:00:00Z'],
    ['minute 60', '2025-06-01T12:60:00Z'],
    ['month 13', '2025-13-01T00:00:00Z'],
    ['words', 'yesterday'],
    ['empty', ''],
  ])('refuses %s', (_why, text) => {
    expect(parseIsoTime(text)).toBeNull();
  });

  it('null and undefined are unknown', () => {
    expect(parseIsoTime(null)).toBeNull();
    expect(parseIsoTime(undefined)).toBeNull();
  });
});

describe('formatAge', () => {
  it('rounds down to whole units', () => {
    expect(formatAge(41.9 * 86_400_000)).toBe('41d');
    expect(formatAge(23.9 * 3_600_000)).toBe('23h');
    expect(formatAge(59_999)).toBe('0m');
    expect(formatAge(-5)).toBe('0m');
  });
});
