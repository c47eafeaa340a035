// Alpine secdb files → one NormalizedAdvisory per (release, CVE): every origin package that names
// the CVE becomes an affected entry `Alpine:<release>` with the range introduced 0, fixed <version>.
import type { AffectedEntry, NormalizedAdvisory } from '../../core/advisory.js';
import type { SecdbFile } from './schema.js';

export function secdbRelease(file: SecdbFile): string {
  return file.distroversion.startsWith('v') || file.distroversion === 'edge'
    ? file.distroversion
    : `v${file.distroversion}`;
}

/** Adds the file's entries into `into` (keyed by advisory id); several files of one release merge. */
export function collectSecdb(file: SecdbFile, into: Map<string, NormalizedAdvisory>): void {
  const release = secdbRelease(file);
  const source = `alpine-secdb:${release}`;
  const ecosystem = `Alpine:${release}`;
  for (const { pkg } of file.packages) {
    for (const [fixed, ids] of Object.entries(pkg.secfixes ?? {})) {
      if (fixed === '0') continue; // never affected in Alpine
      for (const entry of ids ?? []) {
        const [id, ...aliases] = entry.trim().split(/\s+/);
        if (!id) continue;
        let adv = into.get(id);
        if (!adv) {
          adv = {
            source,
            id,
            aliases: [],
            upstream: [],
            severity: [],
            affected: [],
            record: { secfixes: [] },
          };
          into.set(id, adv);
        }
        for (const a of aliases) if (!adv.aliases.includes(a)) adv.aliases.push(a);
        const affected: AffectedEntry = {
          ecosystem,
          packageName: pkg.name,
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
          versions: [],
        };
        adv.affected.push(affected);
        (adv.record as { secfixes: unknown[] }).secfixes.push({
          repo: file.reponame,
          package: pkg.name,
          fixed,
          entry,
        });
      }
    }
  }
}
