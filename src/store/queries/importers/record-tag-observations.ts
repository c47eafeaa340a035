// Identity an imported report carries: "tag T of repository R pointed to digest D when the report
// was made" (Trivy RepoTags+RepoDigests, Grype userInput `repo:tag@digest`, trivy-operator
// artifact tag+digest). Recorded in tag_history with source `import` and in image_names, so later
// tag-only reports and `image show repo:tag` resolve. Re-importing a report adds nothing twice.
import type { Store } from '../../open-store.js';

export interface TagObservationRow {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  observedAt: Date;
}

export async function recordTagObservations(
  { db }: Pick<Store, 'db'>,
  rows: TagObservationRow[],
): Promise<number> {
  let added = 0;
  for (const r of rows) {
    const exists = await db
      .selectFrom('tag_history')
      .select('id')
      .where('registry', '=', r.registry)
      .where('repository', '=', r.repository)
      .where('tag', '=', r.tag)
      .where('digest', '=', r.digest)
      .where('observed_at', '=', r.observedAt)
      .executeTakeFirst();
    if (!exists) {
      await db
        .insertInto('tag_history')
        .values({
          registry: r.registry,
          repository: r.repository,
          tag: r.tag,
          digest: r.digest,
          observed_at: r.observedAt,
          source: 'import',
        })
        .execute();
      added++;
    }
    await db
      .insertInto('image_names')
      .values({
        registry: r.registry,
        repository: r.repository,
        digest: r.digest,
        first_seen: r.observedAt,
        last_seen: r.observedAt,
      })
      .onConflict((oc) =>
        oc.columns(['registry', 'repository', 'digest']).doUpdateSet((eb) => ({
          first_seen: eb.fn('least', [eb.ref('image_names.first_seen'), eb.ref('excluded.first_seen')]),
          last_seen: eb.fn('greatest', [eb.ref('image_names.last_seen'), eb.ref('excluded.last_seen')]),
        })),
      )
      .execute();
  }
  return added;
}
