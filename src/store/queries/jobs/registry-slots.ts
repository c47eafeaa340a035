// Leased concurrency slots shared by every worker (migration 017): a scope (a registry host) has
// `slots` slots; a holder takes a free or expired one, renews its lease while it works and releases
// it at the end. A crashed holder's slot frees itself when the lease runs out.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

/** Takes a slot of `scope` for `holder` for `leaseSeconds`; the slot number, or null when all are held. */
export async function acquireSlot(
  { db }: Pick<Store, 'db'>,
  scope: string,
  slots: number,
  holder: string,
  leaseSeconds: number,
): Promise<number | null> {
  const r = await sql<{ slot: number }>`
    with free as (
      select s from generate_series(0, ${slots}::int - 1) s
      where not exists (select 1 from job_slots j where j.scope = ${scope} and j.slot = s and j.expires_at > now())
      order by s limit 1)
    insert into job_slots (scope, slot, holder, expires_at)
      select ${scope}, s, ${holder}, now() + make_interval(secs => ${leaseSeconds}::int) from free
    on conflict (scope, slot) do update set holder = excluded.holder, expires_at = excluded.expires_at
      where job_slots.expires_at <= now()
    returning slot`.execute(db);
  return r.rows[0]?.slot ?? null;
}

/** Extends a held slot's lease; false when the holder lost it (its lease expired and was taken). */
export async function renewSlot(
  { db }: Pick<Store, 'db'>,
  scope: string,
  slot: number,
  holder: string,
  leaseSeconds: number,
): Promise<boolean> {
  const r = await sql`update job_slots set expires_at = now() + make_interval(secs => ${leaseSeconds}::int)
    where scope = ${scope} and slot = ${slot} and holder = ${holder}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function releaseSlot(
  { db }: Pick<Store, 'db'>,
  scope: string,
  slot: number,
  holder: string,
): Promise<void> {
  await sql`delete from job_slots where scope = ${scope} and slot = ${slot} and holder = ${holder}`.execute(
    db,
  );
}
