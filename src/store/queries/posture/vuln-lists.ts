// Per-image vulnerability lists (image_posture.vulns, migration 7): big-endian int4 per
// vulnerability, its number (vulnerability_numbers) × 32 + its cell (severity rank × 4 + KEV × 2 +
// fixable). Scope roll-ups and the prioritised list aggregate these in memory instead of grouping
// millions of (image, vulnerability) rows in SQL.
import type { Kysely } from 'kysely';
import type { Store } from '../../open-store.js';
import type { Database } from '../../schema.js';
import { CELL_COUNT } from './cells.js';

/** The encoded vulnerability lists (image_posture.vulns) of these digests, in pages. */
export async function loadVulnLists(
  { db }: Pick<Store, 'db'>,
  digests: string[],
): Promise<Map<string, Int32Array>> {
  const out = new Map<string, Int32Array>();
  for (let i = 0; i < digests.length; i += 5000) {
    const rows = await db
      .selectFrom('image_posture')
      .select(['image_digest', 'vulns'])
      .where('image_digest', 'in', digests.slice(i, i + 5000))
      .execute();
    for (const r of rows) out.set(r.image_digest, decodeVulns(r.vulns));
  }
  return out;
}

/** image_posture.vulns: big-endian int4 per vulnerability (number × 32 + cell). */
export function decodeVulns(bytes: Uint8Array | null): Int32Array {
  if (!bytes?.length) return new Int32Array(0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(bytes.byteLength >> 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, false);
  return out;
}

/**
 * Distinct vulnerabilities over several images: per vulnerability number, the highest severity
 * and whether any image has it KEV-listed or fixable, then counted per cell. Stamps instead of
 * clearing, so a union costs only the images' own list lengths.
 */
export class VulnUnion {
  private stamp = new Int32Array(1024);
  private merged = new Uint8Array(1024);
  private round = 0;

  cells(lists: Int32Array[]): number[] {
    this.round++;
    const touched: number[] = [];
    for (const list of lists) {
      for (let i = 0; i < list.length; i++) {
        const v = list[i]!;
        const num = v >>> 5;
        const cell = v & 31;
        if (num >= this.stamp.length) this.grow(num + 1);
        if (this.stamp[num] !== this.round) {
          this.stamp[num] = this.round;
          this.merged[num] = cell;
          touched.push(num);
        } else {
          const m = this.merged[num]!;
          this.merged[num] = (Math.max(m >> 2, cell >> 2) << 2) | (m & 3) | (cell & 3);
        }
      }
    }
    const out = new Array(CELL_COUNT).fill(0);
    for (const num of touched) out[this.merged[num]!]++;
    return out;
  }

  private grow(n: number): void {
    const size = Math.max(n, this.stamp.length * 2);
    const stamp = new Int32Array(size);
    stamp.set(this.stamp);
    const merged = new Uint8Array(size);
    merged.set(this.merged);
    this.stamp = stamp;
    this.merged = merged;
  }
}
