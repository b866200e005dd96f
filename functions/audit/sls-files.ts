/**
 * policies/sls/*.json, generated from the modules that also answer the questions locally
 * (fields.ts, queries.ts, alerts.ts): the logstore index, the saved searches and the alert
 * rules, in shapes that paste into the SLS console/API or map one to one onto Terraform.
 * `npm run gc -- audit sls-files --out policies/sls` rewrites them; a test fails when stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALERTS, DEFAULT_STALLED_DAYS } from './alerts.js';
import { slsIndex } from './fields.js';
import { QUERIES } from './queries.js';
import { fillParams } from './sls.js';

/** s.yaml's default logstore (logConfig.logstore); change it here if yours differs. */
export const LOGSTORE = 'image-gc';

const SEVERITY_CODE = { high: 8, medium: 6, low: 4 } as const;

function queriesFile(): unknown {
  return {
    about: 'Saved searches for the image-gc audit log (docs/audit-log.md). savedSearch is the body of the SLS CreateSavedSearch API; searchQuery alone pastes into the console. ${id} is a parameter to fill in.',
    queries: QUERIES.map((q) => ({
      name: q.name,
      question: q.question,
      parameters: q.params,
      columns: q.columns,
      local: `npm run gc -- audit --log FILE ${q.name}${q.params.map((p) => ` --${p} ${p.toUpperCase()}`).join('')}`,
      savedSearch: { savedsearchName: `image-gc-${q.name}`, displayName: `image-gc: ${q.title}`, logstore: LOGSTORE, topic: '', searchQuery: q.sls },
    })),
  };
}

function alertsFile(): unknown {
  const days = { days: DEFAULT_STALLED_DAYS };
  return {
    about: `SLS alert rules for image-gc (docs/deploy.md, "Alerts"). Each query returns one row per thing to alert on: fire when rows are returned (__count__ > 0). Terraform alicloud_log_alert (version 2.0): schedule -> schedule, query -> query_list, severityCode + condition -> severity_configurations.eval_condition. The stalled rule uses N = ${DEFAULT_STALLED_DAYS} days.`,
    alerts: ALERTS.map((a) => ({
      name: a.name,
      displayName: a.title,
      description: a.description,
      severity: a.severity,
      severityCode: SEVERITY_CODE[a.severity],
      schedule: a.schedule,
      query: { store: LOGSTORE, storeType: 'log', timeSpanType: 'Relative', start: fillParams(a.window.start, days), end: a.window.end, query: fillParams(a.sls, days) },
      condition: { countCondition: '__count__ > 0' },
      columns: a.columns,
      local: 'npm run gc -- audit --log FILE alerts',
    })),
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function slsFiles(): Readonly<Record<string, string>> {
  return { 'index.json': json(slsIndex()), 'queries.json': json(queriesFile()), 'alerts.json': json(alertsFile()) };
}

export function writeSlsFiles(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(slsFiles()).map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}
