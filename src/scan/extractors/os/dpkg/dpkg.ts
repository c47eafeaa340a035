// os/dpkg: Debian and Ubuntu packages from /var/lib/dpkg/status and distroless
// /var/lib/dpkg/status.d/<pkg> files. Only installed packages count (the status field's third word is
// `installed`; status.d files carry no Status and are installed by construction). The Source field
// gives the source package name and, when it differs, its version. Pre-Depends and Depends are kept
// as `meta.depends`: the package names only, groups joined by `,`, alternatives by `|`
// (`debconf|debconf-2.0,passwd`), for the SBOM's dependency graph (sbom/dependencies.ts).
// Spec: deb-control(5), deb-src-control(5) "Package interrelationship fields", dpkg(1).
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d/';

export const dpkgExtractor: Extractor = {
  name: 'os/dpkg',
  version: 2,
  fileRequired: (f) =>
    f.path === STATUS ||
    (f.path.startsWith(STATUS_D) &&
      !f.path.endsWith('.md5sums') &&
      !f.path.slice(STATUS_D.length).includes('/')),
  async extract(input) {
    const text = (await input.bytes()).toString('utf8');
    return { packages: parseDpkgStatus(text, input.path, input.path.startsWith(STATUS_D)) };
  },
};

/** Parses control stanzas (RFC 822-like, continuation lines start with a space). */
export function parseStanzas(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let cur: Record<string, string> = {};
  let last: string | undefined;
  const flush = () => {
    if (Object.keys(cur).length) out.push(cur);
    cur = {};
    last = undefined;
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last) cur[last] += `\n${line.slice(1)}`;
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i).trim();
    cur[last] = line.slice(i + 1).trim();
  }
  flush();
  return out;
}

export function parseDpkgStatus(text: string, path: string, statusD: boolean): ExtractedPackage[] {
  const pkgs: ExtractedPackage[] = [];
  const stanzas = parseStanzas(text);
  if (!statusD && text.trim() !== '' && !stanzas.some((s) => s.Package))
    throw new MalformedFileError(path, 'no "Package:" stanza found; expected a dpkg status file');
  for (const s of stanzas) {
    const name = s.Package;
    const version = s.Version;
    if (!name || !version) continue;
    const status = s.Status;
    if (status !== undefined ? status.split(/\s+/)[2] !== 'installed' : !statusD) continue;
    let sourceName = name;
    let sourceVersion = version;
    if (s.Source) {
      const m = /^(\S+)(?:\s+\((\S+)\))?/.exec(s.Source);
      if (m) {
        sourceName = m[1]!;
        if (m[2]) sourceVersion = m[2];
      }
    }
    pkgs.push({
      kind: 'deb',
      name,
      version,
      sourceName,
      sourceVersion,
      arch: s.Architecture,
      meta: packageMeta(s),
    });
  }
  return pkgs;
}

function packageMeta(s: Record<string, string>): ExtractedPackage['meta'] {
  // dpkg states every package's relationships: no Depends field means no dependencies (`''`).
  const depends = dependsNames([s['Pre-Depends'], s.Depends]);
  return { ...(s.Maintainer ? { maintainer: s.Maintainer } : {}), depends };
}

/**
 * The package names of relationship fields: `libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0,
 * perl:any` → `libc6,debconf|debconf-2.0,perl`. Version constraints, architecture qualifiers
 * (`:any`, `:amd64`), architecture restrictions (`[amd64]`) and build profiles (`<!nocheck>`) go;
 * duplicate groups are kept once. `''` when there are none.
 */
export function dependsNames(fields: (string | undefined)[]): string {
  const present = fields.filter((f): f is string => f !== undefined);
  const groups: string[] = [];
  for (const field of present) {
    for (const group of field.split(',')) {
      const names = group
        .split('|')
        .map((alt) => /^\s*([a-z0-9][a-z0-9+.-]*)/i.exec(alt)?.[1]?.toLowerCase())
        .filter((n): n is string => !!n);
      const g = [...new Set(names)].join('|');
      if (g && !groups.includes(g)) groups.push(g);
    }
  }
  return groups.join(',');
}
