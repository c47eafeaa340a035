// Scheduled report runs (migration 020): recorded by the reports.run job only; read by the
// scheduler (is a report due?) and by every report of the same scope ("since the previous report").
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export interface ReportRunRow {
  name: string;
  scopeKey: string;
  ranAt: Date;
  format: string;
  outcome: 'ok' | 'failed';
  error: string | null;
  /** The report's summary as the reports stage wrote it (a JSON object). */
  summary: Record<string, unknown>;
  vulnerabilityIds: string[];
}

export async function recordReportRun({ db }: Pick<Store, 'db'>, run: ReportRunRow): Promise<void> {
  await sql`insert into report_runs (name, scope_key, ran_at, format, outcome, error, summary, vulnerability_ids)
    values (${run.name}, ${run.scopeKey}, ${run.ranAt}, ${run.format}, ${run.outcome}, ${run.error},
      ${JSON.stringify(run.summary)}::jsonb, ${run.vulnerabilityIds}::text[])`.execute(db);
}

const COLUMNS = sql`name, scope_key as "scopeKey", ran_at as "ranAt", format, outcome, error, summary,
  vulnerability_ids as "vulnerabilityIds"`;

/** The last successful scheduled run of this scope (any report name), or undefined. */
export async function lastReportRunOfScope(
  { db }: Pick<Store, 'db'>,
  scopeKey: string,
  before?: Date | undefined,
): Promise<ReportRunRow | undefined> {
  const r = await sql<ReportRunRow>`select ${COLUMNS} from report_runs
    where scope_key = ${scopeKey} and outcome = 'ok' ${before ? sql`and ran_at < ${before}` : sql``}
    order by ran_at desc, id desc limit 1`.execute(db);
  return r.rows[0];
}

/** The time each named report last ran (successfully or not), for the names given. */
export async function lastReportRunTimes(
  { db }: Pick<Store, 'db'>,
  names: string[],
): Promise<Map<string, Date>> {
  if (!names.length) return new Map();
  const r = await sql<{ name: string; at: Date }>`select name, max(ran_at) as at from report_runs
    where name = any(${names}::text[]) group by name`.execute(db);
  return new Map(r.rows.map((x) => [x.name, new Date(x.at)]));
}
