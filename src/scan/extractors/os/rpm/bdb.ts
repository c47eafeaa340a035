// Reads the header blobs out of a Berkeley DB hash database (rpm's legacy `Packages` file), in pure
// TypeScript: walks every hash page and follows the overflow-page chains that hold the values.
// Spec: Berkeley DB on-disk format (db/dbinc/db_page.h, hash/hash.h); behaviour mirrors
// knqyf263/go-rpmdb pkg/bdb.
import { MalformedFileError } from '../../../errors.js';

const HASH_MAGIC = 0x061561;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const PAGE_HEADER = 26;

export function isBerkeleyHash(data: Uint8Array): boolean {
  if (data.length < 512) return false;
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return dv.getUint32(12, true) === HASH_MAGIC || dv.getUint32(12, false) === HASH_MAGIC;
}

export function* bdbValues(data: Uint8Array, where: string): Generator<Uint8Array> {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const le = dv.getUint32(12, true) === HASH_MAGIC;
  if (!le && dv.getUint32(12, false) !== HASH_MAGIC)
    throw new MalformedFileError(where, 'not a Berkeley DB hash database (bad magic)');
  const u32 = (o: number) => dv.getUint32(o, le);
  const u16 = (o: number) => dv.getUint16(o, le);
  const pageSize = u32(20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0)
    throw new MalformedFileError(where, `implausible Berkeley DB page size ${pageSize}`);
  const lastPage = u32(32);
  if ((lastPage + 1) * pageSize > data.length)
    throw new MalformedFileError(
      where,
      `Berkeley DB says ${lastPage + 1} pages of ${pageSize} bytes but the file has ${data.length}`,
    );
  for (let pg = 1; pg <= lastPage; pg++) {
    const base = pg * pageSize;
    const type = data[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(base + 20);
    // Entries alternate key, value: the values are the header blobs.
    for (let i = 1; i < entries; i += 2) {
      const off = u16(base + PAGE_HEADER + i * 2);
      const itemType = data[base + off];
      if (itemType === H_OFFPAGE) {
        const first = u32(base + off + 4);
        const length = u32(base + off + 8);
        yield readOverflow(data, first, length, pageSize, u32, u16, where);
      } else if (itemType === H_KEYDATA) {
        // Items grow from the page end: an item ends where the previous one starts.
        const prev = u16(base + PAGE_HEADER + (i - 1) * 2);
        const end = prev > off ? base + prev : base + pageSize;
        // rpm keeps a small bookkeeping record (key 0) inline; real headers are far larger.
        if (end - (base + off + 1) >= 24) yield data.subarray(base + off + 1, end);
      }
    }
  }
}

function readOverflow(
  data: Uint8Array,
  first: number,
  length: number,
  pageSize: number,
  u32: (o: number) => number,
  u16: (o: number) => number,
  where: string,
): Uint8Array {
  const out = new Uint8Array(length);
  let filled = 0;
  let pg = first;
  let guard = 0;
  while (pg !== 0 && filled < length) {
    if (++guard > data.length / pageSize) throw new MalformedFileError(where, 'overflow page chain loops');
    const base = pg * pageSize;
    if (base + pageSize > data.length || data[base + 25] !== P_OVERFLOW)
      throw new MalformedFileError(where, `overflow page ${pg} missing or of the wrong type`);
    const n = Math.min(u16(base + 22), length - filled, pageSize - PAGE_HEADER);
    out.set(data.subarray(base + PAGE_HEADER, base + PAGE_HEADER + n), filled);
    filled += n;
    pg = u32(base + 16);
  }
  if (filled !== length)
    throw new MalformedFileError(where, `overflow value truncated (${filled}/${length} bytes)`);
  return out;
}
