// KEV and EPSS are whole-feed snapshots: each update replaces the table's content in the caller's
// transaction.
import type { Store } from '../../open-store.js';

const CHUNK = 1000;

export interface KevRow {
  cve_id: string;
  vendor: string | null;
  product: string | null;
  name: string | null;
  date_added: string | null;
  due_date: string | null;
  known_ransomware: string | null;
}

export async function replaceKev({ db: tx }: Pick<Store, 'db'>, rows: KevRow[]): Promise<void> {
  await tx.deleteFrom('kev').execute();
  const unique = [...new Map(rows.map((r) => [r.cve_id, r])).values()];
  for (let i = 0; i < unique.length; i += CHUNK)
    await tx
      .insertInto('kev')
      .values(unique.slice(i, i + CHUNK))
      .execute();
}

export async function replaceEpss(
  { db: tx }: Pick<Store, 'db'>,
  rows: { cve_id: string; score: number; percentile: number; score_date: string | null }[],
): Promise<void> {
  await tx.deleteFrom('epss').execute();
  const unique = [...new Map(rows.map((r) => [r.cve_id, r])).values()];
  for (let i = 0; i < unique.length; i += CHUNK)
    await tx
      .insertInto('epss')
      .values(unique.slice(i, i + CHUNK))
      .execute();
}
