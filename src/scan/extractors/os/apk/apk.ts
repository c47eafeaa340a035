// os/apk: Alpine (and Wolfi/Chainguard) packages from /lib/apk/db/installed, with the origin
// (source) package, and the files they own (`F:` directory, then its `R:` files) where a language
// package could be (extractors/owned-files.ts).
// Spec: https://wiki.alpinelinux.org/wiki/Apk_spec (installed database format).
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor, ExtractResult } from '../../../types.js';
import { ownedCandidates } from '../../owned-files.js';

export const apkExtractor: Extractor = {
  name: 'os/apk',
  version: 2,
  fileRequired: (f) => f.path === 'lib/apk/db/installed' || f.path === 'usr/lib/apk/db/installed',
  async extract(input) {
    return parseApkInstalled((await input.bytes()).toString('utf8'), input.path);
  },
};

export function parseApkInstalled(
  text: string,
  path: string,
): ExtractResult & { packages: ExtractedPackage[] } {
  const pkgs: ExtractedPackage[] = [];
  const owned: string[] = [];
  let dir = '';
  let cur: Record<string, string> = {};
  let sawKey = false;
  const flush = () => {
    dir = '';
    if (cur.P && cur.V) {
      pkgs.push({
        kind: 'apk',
        name: cur.P,
        version: cur.V,
        sourceName: cur.o ?? cur.P,
        sourceVersion: cur.V,
        arch: cur.A,
        license: cur.L,
        meta: { ...(cur.c ? { commit: cur.c } : {}), ...(cur.m ? { maintainer: cur.m } : {}) },
      });
    }
    cur = {};
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line === '') {
      flush();
      continue;
    }
    if (line.length < 2 || line[1] !== ':') continue;
    sawKey = true;
    const key = line[0]!;
    if (key === 'F') dir = line.slice(2);
    else if (key === 'R') owned.push(`${dir}/${line.slice(2)}`);
    // Other multi-valued keys (Z:, a:, M:…) describe files: only the package-level keys matter.
    else if (!(key in cur)) cur[key] = line.slice(2);
  }
  flush();
  if (text.trim() !== '' && !sawKey)
    throw new MalformedFileError(path, 'no "K:value" lines found; expected an apk installed database');
  return { packages: pkgs, ownedFiles: ownedCandidates(owned) };
}
