// Reads the header blobs out of rpm's NDB database (`Packages.db`, SUSE and newer rpm builds) in
// pure TypeScript: a slot table names each package's blob by block offset. Spec: rpm
// `lib/backend/ndb/rpmpkg.c`; behaviour mirrors knqyf263/go-rpmdb pkg/ndb.go.
import { MalformedFileError } from '../../../errors.js';

const HEADER_MAGIC = 0x506d7052; // 'RpmP' little-endian
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOB_MAGIC = 0x53626c42; // 'BlbS'
const PAGE = 4096;
const SLOT = 16;
const BLOCK = 16;

export function isNdb(data: Uint8Array): boolean {
  return (
    data.length >= 16 && new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) === HEADER_MAGIC
  );
}

export function* ndbValues(data: Uint8Array, where: string): Generator<Uint8Array> {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (!isNdb(data)) throw new MalformedFileError(where, 'not an rpm NDB database (bad magic)');
  const version = dv.getUint32(4, true);
  const slotPages = dv.getUint32(12, true);
  if (version !== 0 || slotPages === 0 || slotPages * PAGE > data.length)
    throw new MalformedFileError(
      where,
      `unsupported NDB header (version ${version}, ${slotPages} slot pages)`,
    );
  // The 32-byte database header takes the place of the first two slots.
  for (let o = 2 * SLOT; o < slotPages * PAGE; o += SLOT) {
    if (dv.getUint32(o, true) !== SLOT_MAGIC) throw new MalformedFileError(where, `bad NDB slot at ${o}`);
    const pkgIndex = dv.getUint32(o + 4, true);
    if (pkgIndex === 0) continue;
    const blobAt = dv.getUint32(o + 8, true) * BLOCK;
    if (blobAt + 16 > data.length)
      throw new MalformedFileError(where, `NDB blob of package ${pkgIndex} lies outside the file`);
    if (dv.getUint32(blobAt, true) !== BLOB_MAGIC || dv.getUint32(blobAt + 4, true) !== pkgIndex)
      throw new MalformedFileError(where, `NDB blob of package ${pkgIndex} has a bad header`);
    const len = dv.getUint32(blobAt + 12, true);
    if (blobAt + 16 + len > data.length)
      throw new MalformedFileError(where, `NDB blob of package ${pkgIndex} is truncated`);
    yield data.subarray(blobAt + 16, blobAt + 16 + len);
  }
}
