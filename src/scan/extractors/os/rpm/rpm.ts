// os/rpm: packages of RHEL-family, SUSE, Fedora, Mariner… images from the rpm database in any of
// its three formats — SQLite (`rpmdb.sqlite`), Berkeley DB hash (`Packages`) and NDB
// (`Packages.db`) — told apart by their magic bytes, all read without native code — and the files
// they own where a language package could be (extractors/owned-files.ts).
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';
import { ownedCandidates } from '../../owned-files.js';
import { bdbValues, isBerkeleyHash } from './bdb.js';
import { parseHeaderBlob, type RpmHeader, splitSourceRpm } from './header.js';
import { isNdb, ndbValues } from './ndb.js';
import { isSqlite, sqliteValues } from './sqlite.js';

const DIRS = ['var/lib/rpm/', 'usr/lib/sysimage/rpm/', 'usr/share/rpm/'];
const FILES = ['Packages', 'Packages.db', 'rpmdb.sqlite'];

export const rpmExtractor: Extractor = {
  name: 'os/rpm',
  version: 2,
  fileRequired: (f) => DIRS.some((d) => f.path.startsWith(d) && FILES.includes(f.path.slice(d.length))),
  async extract(input) {
    const data = await input.bytes();
    const headers = await readRpmDb(data, input.path);
    return { packages: headers.map(toPackage), ownedFiles: ownedCandidates(headers.flatMap((h) => h.files)) };
  },
};

export async function readRpmDb(data: Uint8Array, where: string): Promise<RpmHeader[]> {
  let blobs: Iterable<Uint8Array>;
  if (isSqlite(data)) blobs = await sqliteValues(data, where);
  else if (isNdb(data)) blobs = ndbValues(data, where);
  else if (isBerkeleyHash(data)) blobs = bdbValues(data, where);
  else throw new MalformedFileError(where, 'not an rpm database: expected SQLite, Berkeley DB hash or NDB');
  const out: RpmHeader[] = [];
  for (const blob of blobs) {
    const h = parseHeaderBlob(blob, where);
    // gpg-pubkey pseudo-packages are keys, not software.
    if (h.name === 'gpg-pubkey') continue;
    out.push(h);
  }
  return out;
}

function toPackage(h: RpmHeader): ExtractedPackage {
  const src = splitSourceRpm(h.sourceRpm);
  const vr = `${h.version}-${h.release}`;
  return {
    kind: 'rpm',
    name: h.name,
    version: h.epoch ? `${h.epoch}:${vr}` : vr,
    epoch: h.epoch,
    arch: h.arch,
    license: h.license,
    sourceName: src?.name,
    sourceVersion: src ? (h.epoch ? `${h.epoch}:${src.version}` : src.version) : undefined,
    meta: {
      ...(h.vendor ? { vendor: h.vendor } : {}),
      ...(h.modularityLabel ? { modularitylabel: h.modularityLabel } : {}),
      ...(h.sourceRpm ? { sourcerpm: h.sourceRpm } : {}),
    },
  };
}
