// Turns the folded image view into the SBOM: each extracted package gets its OSV ecosystem (OS
// packages take the detected distribution and release), a purl, the layer that introduced it, its
// path and what its identity rests on. Duplicates (the same package found twice, e.g. a jar copied
// to two places) are reported once, at the first place found. A language package at a path an OS
// package owns is that OS package's copy and is left out (extractors/owned-files.ts), unless asked.
import type { PackageEvidence } from '../core/package-evidence.js';
import type { Package } from '../core/types.js';
import {
  coordinatesOfLinkTargets,
  type MavenCoordinates,
  withRepositoryCoordinates,
} from './extractors/lang/java/repo-path.js';
import type { OsInfo } from './extractors/os/release/detect.js';
import { allRecords, type ImageView } from './fold.js';
import { resolveInImage } from './paths.js';
import { purl, pypiName } from './purl.js';
import { dependsOnOf } from './sbom/dependencies.js';
import type { ExtractedPackage } from './types.js';

const LANG_ECOSYSTEM: Record<string, string> = {
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  gem: 'RubyGems',
  cargo: 'crates.io',
};

const OS_DEFAULT: Record<string, string> = { deb: 'Debian', apk: 'Alpine', rpm: 'Red Hat' };

/** rpm purl namespaces per os-release ID. */
const RPM_NAMESPACE: Record<string, string> = {
  rhel: 'redhat',
  centos: 'centos',
  almalinux: 'almalinux',
  rocky: 'rocky',
  fedora: 'fedora',
  ol: 'oracle',
  amzn: 'amazon',
  sles: 'suse',
  'opensuse-leap': 'opensuse',
  mariner: 'mariner',
  azurelinux: 'azurelinux',
};

export function ecosystemOf(p: ExtractedPackage, os: OsInfo | undefined): string {
  const lang = LANG_ECOSYSTEM[p.kind];
  if (lang) return lang;
  const expected = { deb: ['debian', 'ubuntu'], apk: ['alpine', 'wolfi', 'chainguard'], rpm: [] as string[] }[
    p.kind as 'deb' | 'apk' | 'rpm'
  ];
  const osMatches =
    os?.ecosystem &&
    (p.kind === 'rpm' ? !['debian', 'ubuntu', 'alpine'].includes(os.family) : expected.includes(os.family));
  return osMatches ? os!.ecosystem! : OS_DEFAULT[p.kind]!;
}

export function purlOf(p: ExtractedPackage, os: OsInfo | undefined): string {
  const distro = os ? `${os.family}-${os.release ?? ''}`.replace(/-$/, '') : undefined;
  switch (p.kind) {
    case 'deb':
      return purl('deb', os?.family === 'ubuntu' ? 'ubuntu' : 'debian', p.name, p.version, {
        arch: p.arch,
        distro,
      });
    case 'apk':
      return purl('apk', os?.family && os.family !== 'alpine' ? os.family : 'alpine', p.name, p.version, {
        arch: p.arch,
        distro: os?.release,
      });
    case 'rpm': {
      const vr = p.epoch ? p.version.slice(p.version.indexOf(':') + 1) : p.version;
      return purl('rpm', RPM_NAMESPACE[os?.family ?? ''] ?? os?.family ?? 'redhat', p.name, vr, {
        arch: p.arch,
        epoch: p.epoch ? String(p.epoch) : undefined,
        distro,
      });
    }
    case 'npm': {
      const scoped = p.name.startsWith('@') ? p.name.split('/') : undefined;
      return scoped
        ? purl('npm', scoped[0], scoped.slice(1).join('/'), p.version)
        : purl('npm', undefined, p.name, p.version);
    }
    case 'pypi':
      return purl('pypi', undefined, pypiName(p.name), p.version);
    case 'maven': {
      // A guessed identity (evidence `file-name`) has no group: its purl has no namespace either.
      const i = p.name.indexOf(':');
      return i < 0
        ? purl('maven', undefined, p.name, p.version)
        : purl('maven', p.name.slice(0, i), p.name.slice(i + 1), p.version);
    }
    case 'golang': {
      const i = p.name.lastIndexOf('/');
      return i < 0
        ? purl('golang', undefined, p.name, p.version)
        : purl('golang', p.name.slice(0, i), p.name.slice(i + 1), p.version);
    }
    case 'gem':
      return purl('gem', undefined, p.name, p.version);
    case 'cargo':
      return purl('cargo', undefined, p.name, p.version);
  }
}

export interface ViewPackagesOptions {
  /** Report language packages at paths an OS package owns too (default false). */
  includeOsOwned?: boolean | undefined;
}

export interface ViewedPackages {
  packages: Package[];
  /** Language packages left out because an OS package owns their file (0 with includeOsOwned). */
  osOwned: number;
}

/** The SBOM of the view, in layer order then path order. */
export function viewPackages(
  view: ImageView,
  os: OsInfo | undefined,
  layerOrder: readonly string[],
  opts: ViewPackagesOptions = {},
): ViewedPackages {
  const rank = new Map(layerOrder.map((d, i) => [d, i]));
  const owned = opts.includeOsOwned ? new Set<string>() : osOwnedPaths(view);
  let osOwned = 0;
  let repository: Map<string, MavenCoordinates> | undefined;
  const rows: { pkg: Package; rank: number }[] = [];
  for (const rec of allRecords(view)) {
    const ownedHere = owned.has(rec.path);
    // Debian's maven-repo links name the real coordinates of a jar whose own files do not.
    repository ??= rec.extractor === 'lang/java' ? javaRepositoryLinks(view) : undefined;
    const coordinates = rec.extractor === 'lang/java' ? repository?.get(rec.path) : undefined;
    rec.packages.forEach((original, i) => {
      const p = coordinates ? withRepositoryCoordinates(original, coordinates) : original;
      if (ownedHere && LANG_ECOSYSTEM[p.kind]) {
        osOwned++;
        return;
      }
      const layer = rec.introducedBy[i] ?? rec.layer;
      rows.push({
        rank: rank.get(layer) ?? 0,
        pkg: {
          ecosystem: ecosystemOf(p, os),
          name: p.name,
          version: p.version,
          purl: purlOf(p, os),
          sourceName: p.sourceName,
          sourceVersion: p.sourceVersion,
          layer,
          path: p.subPath ? `${rec.path}!${p.subPath}` : rec.path,
          evidence: p.evidence ?? defaultEvidence(p.kind),
          dependsOn: dependsOnOf(p),
        },
      });
    });
  }
  rows.sort((a, b) => a.rank - b.rank || (a.pkg.path ?? '').localeCompare(b.pkg.path ?? ''));
  const seen = new Set<string>();
  const out: Package[] = [];
  for (const { pkg } of rows) {
    const key = `${pkg.ecosystem}\u0000${pkg.name}\u0000${pkg.version}\u0000${pkg.purl}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(pkg);
  }
  return { packages: out, osOwned };
}

function javaRepositoryLinks(view: ImageView): Map<string, MavenCoordinates> {
  return coordinatesOfLinkTargets(view.symlinks, (path) => {
    const resolved = resolveInImage(path, view.symlinks);
    return resolved === undefined ? undefined : (view.hardlinks.get(resolved) ?? resolved);
  });
}

/**
 * Every path the view's OS package databases say they own, resolved through the image's symbolic
 * links (a merged-/usr image lists `/bin/x` for the file at `usr/bin/x`).
 */
function osOwnedPaths(view: ImageView): Set<string> {
  const out = new Set<string>();
  for (const rec of allRecords(view)) {
    for (const path of rec.ownedFiles ?? []) {
      out.add(path);
      const resolved = resolveInImage(path, view.symlinks);
      if (resolved !== undefined) out.add(resolved);
    }
  }
  return out;
}

/** Go and Rust packages come from build data in executables; the rest from installed metadata. */
function defaultEvidence(kind: ExtractedPackage['kind']): PackageEvidence {
  return kind === 'golang' || kind === 'cargo' ? 'binary' : 'installed-metadata';
}
