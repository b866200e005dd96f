/**
 * Checks that look at more than one value, run on the document as written whatever the schema
 * said about it, so that they are reported in the same run as everything else. Each check
 * tolerates any shape: a wrong shape is the schema's to report.
 */
import type { Finding } from './issues.js';
import { formatPath } from './errors.js';
import { isRecord } from '../inventory/fields.js';


/** Every later copy of a value already listed, pointed at the copy. */
function duplicates(
  values: readonly unknown[],
  pathOf: (index: number) => (string | number)[],
  message: (value: string, firstIndex: number) => string,
): Finding[] {
  const first = new Map<string, number>();
  const findings: Finding[] = [];
  values.forEach((value, index) => {
    if (typeof value !== 'string') return;
    const seen = first.get(value);
    if (seen === undefined) first.set(value, index);
    else findings.push({ path: pathOf(index), at: 'value', message: message(value, seen) });
  });
  return findings;
}

export function semanticFindings(document: unknown): Finding[] {
  if (!isRecord(document)) return [];
  const findings: Finding[] = [];

  if (Array.isArray(document.regions)) {
    findings.push(
      ...duplicates(
        document.regions,
        (i) => ['regions', i],
        (region, first) => `${region} is listed twice (first as ${formatPath(['regions', first])}); list each region once`,
      ),
    );
  }

  if (Array.isArray(document.rules)) {
    const rules = document.rules;
    findings.push(
      ...duplicates(
        rules.map((r) => (isRecord(r) ? r.name : undefined)),
        (i) => ['rules', i, 'name'],
        (name, first) =>
          `the rule name ${name} is already used by ${formatPath(['rules', first])}; names must be unique, they name the rule in every log line`,
      ),
    );
    rules.forEach((rule, i) => {
      const keep = isRecord(rule) ? rule.keep : undefined;
      // groupBy only says how newest counts; alone it keeps nothing, so the rule would delete
      // everything it matches, which is surely not what was meant.
      if (isRecord(keep) && keep.groupBy !== undefined && keep.groupBy !== 'none' && keep.newest === undefined) {
        findings.push({
          path: ['rules', i, 'keep', 'groupBy'],
          at: 'key',
          message: 'groupBy only says how newest counts, and this keep has no newest: add newest, or remove groupBy',
        });
      }
    });
  }
  return findings;
}
