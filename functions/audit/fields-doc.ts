/**
 * The audit-log field reference for people (docs/audit-log.md, between its `fields` markers),
 * generated from the catalogue so the document cannot fall behind the logger:
 * `npm run gc -- audit fields` prints it.
 */
import type { EventName } from '../report/audit-log.js';
import { COMMON_FIELDS, EVENT_FIELDS, type Fields } from './fields.js';

/** What each event records, in one sentence (docs/audit-log.md). */
export const EVENT_DOCS: Readonly<Record<EventName, string>> = {
  'run.start': 'A run begins: its mode and why, the policy (file and SHA-256), regions, kinds, clock and deadline, and what triggered it.',
  'inventory.listed': 'One kind in one region was listed completely.',
  'inventory.failed': 'Listing one kind in one region failed: nothing of it is decided on or deleted in this run.',
  'references.failed': 'An in-use lookup (launch templates, scaling configurations, ...) failed in a region: every image there is protected in this run.',
  'item.decision': 'What the plan decided for one item, with the rule and the reasons; logged in dry-run and enforce alike.',
  'group.aborted': 'A kind in a region would lose more than maxDeletionPercent of what was listed: none of its candidates is acted on.',
  'item.deleting': 'Written right before an item\'s delete call (after its re-check): if the run dies before the answer, the attempt is still on record; an item.deleting with no item.outcome in the same run means the deletion may or may not have happened, and the next run settles it.',
  'item.outcome': 'What happened when a decision was carried out (enforce only): deleted, already-gone, refused, failed, marked, unmarked, skipped.',
  'snapshot.outcome': 'What became of one snapshot behind a deleted image, under a rule with deleteSnapshots.',
  'api.error': 'An API call failed after the client\'s retries (also logged when the failure is expected, such as a refusal).',
  'run.finish': 'The run is over: its summary (the value the handler returns).',
  'run.rejected': 'Nothing was listed or changed: the policy, the trigger event or the environment is not acceptable.',
  'run.warning': 'A warning about the run as a whole, e.g. an ask for enforce that a dry-run policy overrules.',
};

const cell = (t: string) => t.replace(/\|/g, '\\|');

/** The field reference as Markdown tables, one per event (docs/audit-log.md embeds it). */
export function fieldsMarkdown(): string {
  const table = (fields: Fields) =>
    ['| field | type | meaning |', '|---|---|---|', ...Object.entries(fields).map(([name, spec]) => `| \`${name}\` | ${spec.type}${spec.optional ? ' (sometimes)' : ''} | ${cell(spec.doc)} |`)].join('\n');
  const parts = [`### Every line\n\n${table(COMMON_FIELDS)}`];
  for (const [event, fields] of Object.entries(EVENT_FIELDS) as Array<[EventName, Fields]>) {
    parts.push(`### \`${event}\`\n\n${EVENT_DOCS[event]}${Object.keys(fields).length > 0 ? `\n\n${table(fields)}` : ' No fields beyond those on every line.'}`);
  }
  return `${parts.join('\n\n')}\n`;
}
