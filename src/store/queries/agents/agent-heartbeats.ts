// Agents' heartbeats (migration 19, docs/agent.md "Heartbeat"): the last contact per cluster, and
// the source seen-at a heartbeat advances. An agent that has landed its full list and everything
// after it says the cluster is unchanged since: like an unchanged full list, that moves the source's
// last_full_at (ADR 0010) — never backwards — so freshness stays current while nothing changes.
import { sql } from 'kysely';
import type { AccessScope } from '../../../core/access.js';
import type { Store } from '../../open-store.js';
import { scopeSql } from '../posture/scope-sql.js';

export interface AgentHeartbeat {
  cluster: string;
  source: string;
  version: string;
  subject: string | null;
  podsWatched: number | null;
  at: Date;
}

export interface AgentRow {
  cluster: string;
  source: string;
  version: string;
  subject: string | null;
  podsWatched: number | null;
  firstContactAt: Date;
  lastContactAt: Date;
}

export async function recordAgentHeartbeat({ db }: Pick<Store, 'db'>, hb: AgentHeartbeat): Promise<void> {
  await db
    .insertInto('agents')
    .values({
      cluster: hb.cluster,
      source: hb.source,
      version: hb.version,
      subject: hb.subject,
      pods_watched: hb.podsWatched,
      first_contact_at: hb.at,
      last_contact_at: hb.at,
    })
    .onConflict((oc) =>
      oc.column('cluster').doUpdateSet({
        source: hb.source,
        version: hb.version,
        subject: hb.subject,
        pods_watched: hb.podsWatched,
        last_contact_at: sql`greatest(agents.last_contact_at, excluded.last_contact_at)`,
      }),
    )
    .execute();
}

/**
 * Advances the source's seen-at to `at` (never back) when it has had an unscoped full list.
 * Returns whether it moved (false: no such source, or it never had a full list).
 */
export async function advanceSourceSeenAt(
  { db }: Pick<Store, 'db'>,
  source: string,
  at: Date,
): Promise<boolean> {
  const r = await sql`update inventory_sources set last_full_at = greatest(last_full_at, ${at}::timestamptz)
    where name = ${source} and last_full_at is not null`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** The agents whose cluster is inside `scope` (every agent when it restricts no cluster). */
export async function listAgents({ db }: Pick<Store, 'db'>, scope?: AccessScope): Promise<AgentRow[]> {
  const clusters = scope?.clusters;
  let q = db.selectFrom('agents').selectAll().orderBy('cluster');
  if (clusters?.length) q = q.where('cluster', '=', sql<string>`any(${[...clusters]}::text[])`);
  const rows = await q.execute();
  return rows.map((r) => ({
    cluster: r.cluster,
    source: r.source,
    version: r.version,
    subject: r.subject,
    podsWatched: r.pods_watched,
    firstContactAt: new Date(r.first_contact_at),
    lastContactAt: new Date(r.last_contact_at),
  }));
}

/**
 * The first live container of `source` (within `namespaces` when given) outside `scope`, or
 * undefined: a full list from a scoped caller may replace only containers inside its scope.
 */
export async function findLiveContainerOutsideScope(
  { db }: Pick<Store, 'db'>,
  source: string,
  scope: AccessScope,
  namespaces?: string[] | undefined,
): Promise<{ id: string; cluster: string | null; namespace: string | null } | undefined> {
  const r = await sql<{ id: string; cluster: string | null; namespace: string | null }>`
    select c.id, c.cluster, c.namespace from containers c
    join inventory_sources s on s.id = c.source_id
    where s.name = ${source} and c.removed_at is null
      ${namespaces?.length ? sql`and c.namespace = any(${[...namespaces]}::text[])` : sql``}
      and not coalesce(${scopeSql(scope, 'c')}, false)
    limit 1`.execute(db);
  return r.rows[0];
}
