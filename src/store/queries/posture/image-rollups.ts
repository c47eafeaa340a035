// Per-image roll-ups as stored (image_posture): when the image was scanned and its roll-up
// computed, its cells (vulnerabilities and findings), and its encoded vulnerability list — big-endian int4 per vulnerability, its
// number (vulnerability_numbers) × 32 + its cell. Propagation sums and unions them in memory
// instead of grouping millions of (image, vulnerability) rows in SQL.
import { sql } from 'kysely';
import type { Store } from '../../open-store.js';
import { toCells } from './cells-sql.js';

export interface ImageRollup {
  scannedAt: Date | null;
  computedAt: Date;
  cells: number[];
  /** Findings (vulnerability × package) per cell (migration 10; zeros until the first sync after it). */
  findingCells: number[];
}

const PAGE = 5000;

/** The per-image roll-ups of these digests, in pages. */
export async function loadImageRollups(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<Map<string, ImageRollup>> {
  const out = new Map<string, ImageRollup>();
  for (let i = 0; i < digests.length; i += PAGE) {
    const rows = await db
      .selectFrom('image_posture')
      .select(['image_digest', 'scanned_at', 'computed_at', 'cells', 'finding_cells'])
      .where(sql<boolean>`image_digest = any(${digests.slice(i, i + PAGE)}::text[])`)
      .execute();
    for (const r of rows) {
      out.set(r.image_digest, {
        scannedAt: r.scanned_at,
        computedAt: r.computed_at,
        cells: toCells(r.cells),
        findingCells: toCells(r.finding_cells),
      });
    }
  }
  return out;
}

/** The encoded vulnerability lists (image_posture.vulns) of these digests, in pages. */
export async function loadVulnLists(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<Map<string, Int32Array>> {
  const out = new Map<string, Int32Array>();
  for (let i = 0; i < digests.length; i += PAGE) {
    const rows = await db
      .selectFrom('image_posture')
      .select(['image_digest', 'vulns'])
      .where(sql<boolean>`image_digest = any(${digests.slice(i, i + PAGE)}::text[])`)
      .execute();
    for (const r of rows) out.set(r.image_digest, decodeVulns(r.vulns));
  }
  return out;
}

/** image_posture.vulns: big-endian int4 per vulnerability (number × 32 + cell). */
export function decodeVulns(bytes: Uint8Array | null): Int32Array {
  if (!bytes?.length) return new Int32Array(0);
  // Copied into a buffer of its own (aligned for Int32Array) and byte-swapped natively on a
  // little-endian host: a fleet's lists are millions of entries.
  const copy = new Uint8Array(bytes.byteLength & ~3);
  copy.set(bytes.subarray(0, copy.length));
  if (LITTLE_ENDIAN) Buffer.from(copy.buffer).swap32();
  return new Int32Array(copy.buffer);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
