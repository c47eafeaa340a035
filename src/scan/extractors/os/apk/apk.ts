// os/apk: Alpine (and Wolfi/Chainguard) packages from /lib/apk/db/installed, with the origin
// (source) package. Spec: https://wiki.alpinelinux.org/wiki/Apk_spec (installed database format).
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';

export const apkExtractor: Extractor = {
  name: 'os/apk',
  version: 1,
  fileRequired: (f) => f.path === 'lib/apk/db/installed' || f.path === 'usr/lib/apk/db/installed',
  async extract(input) {
    return { packages: parseApkInstalled((await input.bytes()).toString('utf8'), input.path) };
  },
};

export function parseApkInstalled(text: string, path: string): ExtractedPackage[] {
  const pkgs: ExtractedPackage[] = [];
  let cur: Record<string, string> = {};
  let sawKey = false;
  const flush = () => {
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
    // Multi-valued keys (F:, R:, Z:…) are file lists: only the package-level keys matter here.
    if (!(key in cur)) cur[key] = line.slice(2);
  }
  flush();
  if (text.trim() !== '' && !sawKey)
    throw new MalformedFileError(path, 'no "K:value" lines found; expected an apk installed database');
  return pkgs;
}
