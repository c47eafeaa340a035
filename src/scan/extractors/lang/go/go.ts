// lang/go: Go modules compiled into ELF binaries, from their build info: the main module, every
// dependency (a replacement by another module version reports that module; a replacement by a
// local directory keeps the required version and notes the directory), and the Go toolchain
// version as the `stdlib` package, the way OSV's Go advisories name it. The main module states what
// it depends on: `meta.depends` lists every other reported module and stdlib (comma-joined), for the
// SBOM's dependency graph; build info does not say which dependency needs which, so deps have none.
import { MalformedFileError } from '../../../errors.js';
import { SPOOL_BYTES, withLocalFile } from '../../../spool.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';
import {
  type GoBuildInfo,
  readGoBuildInfo,
  readGoBuildInfoFromFile,
  UnsupportedBuildInfoError,
} from './buildinfo.js';

/** Executables: any regular file with an execute bit, not tiny (scripts and stubs are skipped). */
export function isExecutableCandidate(f: { mode: number; size: number }): boolean {
  return (f.mode & 0o111) !== 0 && f.size >= 1024;
}

export const goExtractor: Extractor = {
  name: 'lang/go',
  version: 3,
  fileRequired: (f) => isExecutableCandidate(f),
  async extract(input) {
    let info: GoBuildInfo | undefined;
    try {
      // A large binary is read from disk (spool.ts), never whole into memory.
      info =
        input.size > SPOOL_BYTES
          ? await withLocalFile(input, readGoBuildInfoFromFile)
          : readGoBuildInfo(await input.bytes());
    } catch (err) {
      if (err instanceof UnsupportedBuildInfoError) throw new MalformedFileError(input.path, err.message);
      throw err;
    }
    if (!info) return { packages: [] };
    const pkgs: ExtractedPackage[] = [];
    const main: ExtractedPackage | undefined = info.main?.path
      ? { kind: 'golang', name: info.main.path, version: info.main.version, meta: { main: true } }
      : undefined;
    if (main) pkgs.push(main);
    for (const d of info.deps) {
      const local =
        d.replace &&
        (d.replace.version === '' || d.replace.version === '(devel)' || /^[./]/.test(d.replace.path));
      if (d.replace && !local) {
        pkgs.push({
          kind: 'golang',
          name: d.replace.path,
          version: d.replace.version,
          meta: { replaces: d.path },
        });
      } else if (d.replace) {
        pkgs.push({ kind: 'golang', name: d.path, version: d.version, meta: { replacedBy: d.replace.path } });
      } else {
        pkgs.push({ kind: 'golang', name: d.path, version: d.version });
      }
    }
    const m = /^go(\d+(?:\.\d+)*)/.exec(info.goVersion);
    if (m) pkgs.push({ kind: 'golang', name: 'stdlib', version: `v${m[1]}` });
    if (main)
      main.meta = {
        ...main.meta,
        depends: [...new Set(pkgs.filter((p) => p !== main).map((p) => p.name))].join(','),
      };
    return { packages: pkgs };
  },
};
