// Which vector files apply to which version schemes (the runner is vectors.test.ts).
/** Vector file → the schemes it applies to. */
export const FILES: Record<string, string[]> = {
  'osv-scalibr/alpine-versions.txt': ['apk'],
  'osv-scalibr/cran-versions.txt': ['cran'],
  'osv-scalibr/debian-versions.txt': ['dpkg'],
  'osv-scalibr/hackage-versions.txt': ['hackage'],
  'osv-scalibr/maven-versions.txt': ['maven'],
  'osv-scalibr/nuget-versions.txt': ['nuget'],
  'osv-scalibr/packagist-versions.txt': ['packagist'],
  'osv-scalibr/pub-versions.txt': ['pub'],
  'osv-scalibr/pypi-versions.txt': ['pep440'],
  'osv-scalibr/redhat-versions.txt': ['rpm'],
  'osv-scalibr/rubygems-versions.txt': ['rubygems'],
  'osv-scalibr/semver-versions.txt': ['semver', 'go', 'cargo', 'hex', 'npm'],
  'generated/dpkg.txt': ['dpkg'],
  'generated/rpm.txt': ['rpm'],
  'generated/pep440.txt': ['pep440'],
  'generated/pep440-legacy.txt': ['pep440'],
  'generated/maven.txt': ['maven'],
  'generated/npm.txt': ['npm'],
  'facts/apk-tools.txt': ['apk'],
  'facts/rpm-rpmvercmp.txt': ['rpm'],
};
