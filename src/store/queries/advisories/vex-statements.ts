// vex_statements: a document's statements replace what the same document said before; the
// matcher reads the statements naming given vulnerability ids.
import type { VexStatement } from '../../../core/advisory.js';
import type { Store } from '../../open-store.js';
import { anyText } from '../../statement-size.js';

export async function replaceVexDocument(
  { db: tx }: Pick<Store, 'db'>,
  document: string,
  statements: VexStatement[],
): Promise<void> {
  await tx.deleteFrom('vex_statements').where('document', '=', document).execute();
  for (let i = 0; i < statements.length; i += 500) {
    await tx
      .insertInto('vex_statements')
      .values(
        statements.slice(i, i + 500).map((s) => ({
          document: s.document,
          format: s.format,
          product: s.product,
          subcomponent: s.subcomponent ?? null,
          vulnerability_id: s.vulnerabilityId,
          status: s.status,
          justification: s.justification ?? null,
          impact: s.impact ?? null,
          action: s.action ?? null,
          issued_at: s.issuedAt ?? null,
        })),
      )
      .execute();
  }
}

export async function listVexStatements(
  { db }: Pick<Store, 'db'>,
  vulnerabilityIds?: string[],
): Promise<VexStatement[]> {
  let q = db.selectFrom('vex_statements').selectAll();
  if (vulnerabilityIds) {
    if (!vulnerabilityIds.length) return [];
    q = q.where('vulnerability_id', '=', anyText(vulnerabilityIds));
  }
  const rows = await q.orderBy('id').execute();
  return rows.map((r) => ({
    document: r.document,
    format: r.format as VexStatement['format'],
    product: r.product,
    subcomponent: r.subcomponent ?? undefined,
    vulnerabilityId: r.vulnerability_id,
    status: r.status as VexStatement['status'],
    justification: r.justification ?? undefined,
    impact: r.impact ?? undefined,
    action: r.action ?? undefined,
    issuedAt: r.issued_at ?? undefined,
  }));
}
