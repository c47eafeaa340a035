// Records an advisory source after an update: its kind, location, newest `modified` seen and the
// number of records it holds (recounted from the table, so it stays true under incremental updates).
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';

export async function upsertAdvisorySource(
  { db: tx }: Pick<Store, 'db'>,
  src: { name: string; kind: string; location: string; recordCount?: number | undefined },
): Promise<void> {
  let count = src.recordCount;
  let lastModified: Date | null = null;
  if (count === undefined) {
    const row = await tx
      .selectFrom('advisories')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('modified').as('m')])
      .where('source', '=', src.name)
      .executeTakeFirstOrThrow();
    count = Number(row.n);
    lastModified = (row.m as Date | null) ?? null;
  }
  await tx
    .insertInto('advisory_sources')
    .values({
      name: src.name,
      kind: src.kind,
      location: src.location,
      last_modified: lastModified,
      updated_at: sql<Date>`now()`,
      record_count: count,
    })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        kind: src.kind,
        location: src.location,
        last_modified: lastModified,
        updated_at: sql<Date>`now()`,
        record_count: count,
      }),
    )
    .execute();
}
