// Staging for a report imported as it streams (ADR 0029): temporary tables, dropped when the import's
// transaction ends, that hold what the importer must not hold in memory — the raw entries of the
// report's big arrays as they are read, the packages and findings converted from them, and which
// findings are duplicates. Every write is a batch of bounded size; every read is a page by key.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

type Tx = Pick<Store, 'db'>;

/** Creates the staging tables in the current transaction (dropped at its end, commit or rollback). */
export async function createImportStaging({ db }: Tx): Promise<void> {
  await sql`create temp table imp_items (grp int not null, kind smallint not null, seq int not null,
    body text not null, primary key (grp, kind, seq)) on commit drop`.execute(db);
  await sql`create temp table imp_packages (ord int primary key, body text not null) on commit drop`.execute(
    db,
  );
  await sql`create temp table imp_findings (ord int primary key, pkg text not null, reported_id text not null,
    body text not null, dup_reason text) on commit drop`.execute(db);
  await sql`create index on imp_findings (pkg, ord)`.execute(db);
  await sql`create temp table imp_refs (ref text primary key, body text not null) on commit drop`.execute(db);
}

export interface StagedItem {
  /** Which group of the report (a Trivy result) the entry belongs to. */
  grp: number;
  /** Which array of the group (0 packages, 1 vulnerabilities). */
  kind: number;
  /** Its index in that array. */
  seq: number;
  /** The entry as JSON. */
  body: string;
}

export async function stageItems({ db }: Tx, items: StagedItem[]): Promise<void> {
  if (!items.length) return;
  await sql`insert into imp_items (grp, kind, seq, body)
    select * from unnest(${items.map((i) => i.grp)}::int[], ${items.map((i) => i.kind)}::smallint[],
      ${items.map((i) => i.seq)}::int[], ${items.map((i) => i.body)}::text[])
    on conflict (grp, kind, seq) do update set body = excluded.body`.execute(db);
}

/** Forgets the staged entries of one array (a duplicate key read again replaces it), or all of them. */
export async function dropStagedItems({ db }: Tx, which?: { grp: number; kind: number }): Promise<void> {
  if (which) await sql`delete from imp_items where grp = ${which.grp} and kind = ${which.kind}`.execute(db);
  else await sql`delete from imp_items`.execute(db);
}

/** The staged entries after `after` in (grp, kind, seq) order, at most `limit`. */
export async function readStagedItems(
  { db }: Tx,
  after: { grp: number; kind: number; seq: number } | undefined,
  limit: number,
): Promise<StagedItem[]> {
  const a = after ?? { grp: -1, kind: -1, seq: -1 };
  const { rows } = await sql<StagedItem>`select grp, kind, seq, body from imp_items
    where (grp, kind, seq) > (${a.grp}, ${a.kind}, ${a.seq}) order by grp, kind, seq limit ${limit}`.execute(
    db,
  );
  return rows;
}

export async function stagePackages({ db }: Tx, rows: { ord: number; body: string }[]): Promise<void> {
  if (!rows.length) return;
  await sql`insert into imp_packages (ord, body)
    select * from unnest(${rows.map((r) => r.ord)}::int[], ${rows.map((r) => r.body)}::text[])`.execute(db);
}

export interface StagedFinding {
  ord: number;
  /** The package key duplicates are looked for within (one package version). */
  pkg: string;
  reportedId: string;
  body: string;
  /** Set once the finding is known to duplicate an earlier one: the skip reason. */
  dupReason: string | null;
}

export async function stageFindings({ db }: Tx, rows: Omit<StagedFinding, 'dupReason'>[]): Promise<void> {
  if (!rows.length) return;
  await sql`insert into imp_findings (ord, pkg, reported_id, body)
    select * from unnest(${rows.map((r) => r.ord)}::int[], ${rows.map((r) => r.pkg)}::text[],
      ${rows.map((r) => r.reportedId)}::text[], ${rows.map((r) => r.body)}::text[])`.execute(db);
}

/** Staged packages after `after` in order, at most `limit`. */
export async function readStagedPackages(
  { db }: Tx,
  after: number,
  limit: number,
): Promise<{ ord: number; body: string }[]> {
  const { rows } = await sql<{ ord: number; body: string }>`select ord, body from imp_packages
    where ord > ${after} order by ord limit ${limit}`.execute(db);
  return rows;
}

/** Staged findings after `after` in report order, at most `limit` (duplicates too, marked). */
export async function readStagedFindings(
  { db }: Tx,
  after: number,
  limit: number,
  opts: { keptOnly?: boolean } = {},
): Promise<StagedFinding[]> {
  const { rows } = await sql<StagedFinding>`select ord, pkg, reported_id as "reportedId", body,
    dup_reason as "dupReason" from imp_findings
    where ord > ${after} ${opts.keptOnly ? sql`and dup_reason is null` : sql``} order by ord limit ${limit}`.execute(
    db,
  );
  return rows;
}

/** Staged findings after `after` in (package key, report order), at most `limit`: duplicates are
 * looked for within one package key, so its findings come together. */
export async function readStagedFindingsByPackage(
  { db }: Tx,
  after: { pkg: string; ord: number } | undefined,
  limit: number,
): Promise<StagedFinding[]> {
  const { rows } = after
    ? await sql<StagedFinding>`select ord, pkg, reported_id as "reportedId", body, dup_reason as "dupReason"
        from imp_findings where (pkg, ord) > (${after.pkg}, ${after.ord}) order by pkg, ord limit ${limit}`.execute(
        db,
      )
    : await sql<StagedFinding>`select ord, pkg, reported_id as "reportedId", body, dup_reason as "dupReason"
        from imp_findings order by pkg, ord limit ${limit}`.execute(db);
  return rows;
}

/** Records what deduplication decided: a kept finding's merged aliases (its new body), a duplicate's reason. */
export async function updateStagedFindings(
  { db }: Tx,
  rows: { ord: number; body: string; dupReason: string | null }[],
): Promise<void> {
  if (!rows.length) return;
  await sql`update imp_findings f set body = u.body, dup_reason = u.reason
    from unnest(${rows.map((r) => r.ord)}::int[], ${rows.map((r) => r.body)}::text[],
      ${rows.map((r) => r.dupReason)}::text[]) as u(ord, body, reason)
    where f.ord = u.ord`.execute(db);
}

/** Records what a reference names (a CycloneDX component by its bom-ref); a later row for the same
 * reference replaces the earlier one, as a map would. */
export async function stageRefs({ db }: Tx, rows: { ref: string; body: string }[]): Promise<void> {
  const last = new Map(rows.map((r) => [r.ref, r.body])); // one row per ref in one statement
  if (!last.size) return;
  await sql`insert into imp_refs (ref, body)
    select * from unnest(${[...last.keys()]}::text[], ${[...last.values()]}::text[])
    on conflict (ref) do update set body = excluded.body`.execute(db);
}

/** What each of `refs` names, of those staged. */
export async function readStagedRefs({ db }: Tx, refs: string[]): Promise<{ ref: string; body: string }[]> {
  if (!refs.length) return [];
  const { rows } = await sql<{ ref: string; body: string }>`select ref, body from imp_refs
    where ref = any(${[...new Set(refs)]}::text[])`.execute(db);
  return rows;
}
