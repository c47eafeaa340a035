// What a package's identity rests on. The scanner records it per package (`evidence`); the matcher
// reads the confidence it gives: a finding never hangs on a guessed identity (docs/scan.md).

/**
 * The kind of evidence a package's name and version come from, most reliable first:
 * - `installed-metadata`: the package manager's own record of an installed package (dpkg status,
 *   apk installed, rpmdb, `node_modules/<name>/package.json`, `*.dist-info/METADATA`, gemspec).
 * - `binary`: build data inside an executable (Go buildinfo, cargo-auditable).
 * - `pom.properties` / `pom.xml`: Maven's own files inside a Java archive.
 * - `maven-repository-path`: the archive sits at `<group path>/<artifact>/<version>/` of a Maven
 *   repository layout (`~/.m2/repository`, Debian's `/usr/share/maven-repo`).
 * - `lockfile`: a lockfile beside the code (declared, e.g. Cargo.lock): see docs/scan.md.
 * - `manifest`: `META-INF/MANIFEST.MF` fields confirmed by the file name (group from a known rule).
 * - `file-name`: only the archive's file name (or unconfirmed manifest fields): a guess.
 * - `sbom`: taken from an imported SBOM as stated there.
 */
export type PackageEvidence =
  | 'installed-metadata'
  | 'binary'
  | 'pom.properties'
  | 'pom.xml'
  | 'maven-repository-path'
  | 'lockfile'
  | 'manifest'
  | 'file-name'
  | 'sbom';

export const PACKAGE_EVIDENCE: readonly PackageEvidence[] = [
  'installed-metadata',
  'binary',
  'pom.properties',
  'pom.xml',
  'maven-repository-path',
  'lockfile',
  'manifest',
  'file-name',
  'sbom',
];

/** `low` identities are listed in the SBOM but not matched against advisories. */
export type IdentityConfidence = 'high' | 'medium' | 'low';

export function identityConfidence(evidence: PackageEvidence | undefined): IdentityConfidence {
  switch (evidence) {
    case 'file-name':
      return 'low';
    case 'manifest':
    case 'lockfile':
      return 'medium';
    default:
      return 'high';
  }
}
