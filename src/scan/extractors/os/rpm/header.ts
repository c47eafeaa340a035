// The rpm header blob as stored in every rpmdb backend (sqlite, Berkeley DB, NDB): a big-endian
// index of (tag, type, offset, count) entries followed by a data store. Only the tags Runsight
// reports are decoded. Spec: rpm `lib/header.c` / https://rpm-software-management.github.io/rpm/manual/format.html
// (header structure; the database blob omits the 8-byte header magic).
import { MalformedFileError } from '../../../errors.js';

export const TAG = {
  SIGMD5: 261,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  MODULARITYLABEL: 5096,
} as const;

const TYPE = { INT8: 2, INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 };

export interface RpmHeader {
  name: string;
  version: string;
  release: string;
  epoch?: number | undefined;
  arch?: string | undefined;
  sourceRpm?: string | undefined;
  license?: string | undefined;
  vendor?: string | undefined;
  size?: number | undefined;
  summary?: string | undefined;
  modularityLabel?: string | undefined;
  sigMd5?: string | undefined;
  /** The package's files (DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]), absolute paths. */
  files: string[];
}

/** Decodes one header blob. Throws MalformedFileError when the blob is inconsistent. */
export function parseHeaderBlob(blob: Uint8Array, where: string): RpmHeader {
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  if (blob.length < 8) throw new MalformedFileError(where, 'rpm header blob shorter than 8 bytes');
  const il = dv.getUint32(0);
  const dl = dv.getUint32(4);
  const dataStart = 8 + il * 16;
  if (il === 0 || il > 0xffff || dataStart + dl > blob.length)
    throw new MalformedFileError(
      where,
      `rpm header blob with ${il} entries / ${dl} data bytes does not fit ${blob.length} bytes`,
    );
  const entries = new Map<number, { type: number; offset: number; count: number }>();
  for (let i = 0; i < il; i++) {
    const o = 8 + i * 16;
    entries.set(dv.getUint32(o), {
      type: dv.getUint32(o + 4),
      offset: dv.getInt32(o + 8),
      count: dv.getUint32(o + 12),
    });
  }
  const str = (tag: number): string | undefined => {
    const e = entries.get(tag);
    if (!e || (e.type !== TYPE.STRING && e.type !== TYPE.I18NSTRING && e.type !== TYPE.STRING_ARRAY))
      return undefined;
    const start = dataStart + e.offset;
    if (e.offset < 0 || start >= dataStart + dl)
      throw new MalformedFileError(where, `tag ${tag} points outside the header data`);
    let end = start;
    while (end < dataStart + dl && blob[end] !== 0) end++;
    return Buffer.from(blob.buffer, blob.byteOffset + start, end - start).toString('utf8');
  };
  const int = (tag: number): number | undefined => {
    const e = entries.get(tag);
    if (!e) return undefined;
    const at = dataStart + e.offset;
    if (e.offset < 0 || at >= dataStart + dl)
      throw new MalformedFileError(where, `tag ${tag} points outside the header data`);
    if (e.type === TYPE.INT32) return dv.getUint32(at);
    if (e.type === TYPE.INT16) return dv.getUint16(at);
    if (e.type === TYPE.INT8) return dv.getUint8(at);
    if (e.type === TYPE.INT64) return Number(dv.getBigUint64(at));
    return undefined;
  };
  const bin = (tag: number): string | undefined => {
    const e = entries.get(tag);
    if (!e || e.type !== TYPE.BIN) return undefined;
    const at = dataStart + e.offset;
    if (e.offset < 0 || at + e.count > dataStart + dl)
      throw new MalformedFileError(where, `tag ${tag} points outside the header data`);
    return Buffer.from(blob.buffer, blob.byteOffset + at, e.count).toString('hex');
  };
  const strings = (tag: number): string[] => {
    const e = entries.get(tag);
    if (!e || e.type !== TYPE.STRING_ARRAY) return [];
    const out: string[] = [];
    let at = dataStart + e.offset;
    const end = dataStart + dl;
    if (e.offset < 0 || at > end)
      throw new MalformedFileError(where, `tag ${tag} points outside the header data`);
    for (let i = 0; i < e.count; i++) {
      let stop = at;
      while (stop < end && blob[stop] !== 0) stop++;
      if (stop >= end) throw new MalformedFileError(where, `tag ${tag} runs past the header data`);
      out.push(Buffer.from(blob.buffer, blob.byteOffset + at, stop - at).toString('utf8'));
      at = stop + 1;
    }
    return out;
  };
  const ints = (tag: number): number[] => {
    const e = entries.get(tag);
    if (!e || e.type !== TYPE.INT32) return [];
    const at = dataStart + e.offset;
    if (e.offset < 0 || at + e.count * 4 > dataStart + dl)
      throw new MalformedFileError(where, `tag ${tag} points outside the header data`);
    return Array.from({ length: e.count }, (_, i) => dv.getUint32(at + i * 4));
  };
  const files = (): string[] => {
    const base = strings(TAG.BASENAMES);
    const dirs = strings(TAG.DIRNAMES);
    const index = ints(TAG.DIRINDEXES);
    return base.flatMap((b, i) => {
      const d = dirs[index[i] ?? -1];
      return d === undefined ? [] : [`${d}${b}`];
    });
  };
  const name = str(TAG.NAME);
  const version = str(TAG.VERSION);
  const release = str(TAG.RELEASE);
  if (!name || version === undefined || release === undefined)
    throw new MalformedFileError(where, 'rpm header without name, version or release');
  return {
    name,
    version,
    release,
    epoch: int(TAG.EPOCH),
    arch: str(TAG.ARCH),
    sourceRpm: str(TAG.SOURCERPM),
    license: str(TAG.LICENSE),
    vendor: str(TAG.VENDOR),
    size: int(TAG.SIZE),
    summary: str(TAG.SUMMARY),
    modularityLabel: str(TAG.MODULARITYLABEL),
    sigMd5: bin(TAG.SIGMD5),
    files: files(),
  };
}

/** `util-linux-2.32.1-42.el8_8.src.rpm` → name `util-linux`, version `2.32.1-42.el8_8`. */
export function splitSourceRpm(srpm: string | undefined): { name: string; version: string } | undefined {
  if (!srpm) return undefined;
  const base = srpm.replace(/\.(no)?src\.rpm$/, '');
  const r = base.lastIndexOf('-');
  if (r <= 0) return undefined;
  const v = base.lastIndexOf('-', r - 1);
  if (v <= 0) return undefined;
  return { name: base.slice(0, v), version: base.slice(v + 1) };
}
