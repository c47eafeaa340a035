// Package ecosystems as OSV names them (https://ossf.github.io/osv-schema/#affectedpackage-field),
// derived from the type word each scanner writes: Trivy result `Type` (+ OS release), Grype
// artifact `type` (+ distro). OS releases and package URLs map through versioning/ (osvEcosystem,
// packageFromPurl), the same functions the built-in scanner uses, so both key the same advisories.
import { OS_PACKAGE_TYPES, osvEcosystem, PURL_TYPE_ECOSYSTEMS } from '../versioning/index.js';

/** Language package types (Trivy result Type, Grype artifact type; purl types included) → OSV ecosystem. */
const LANGUAGE: Record<string, string> = {
  ...PURL_TYPE_ECOSYSTEMS,
  yarn: 'npm',
  pnpm: 'npm',
  bun: 'npm',
  'node-pkg': 'npm',
  javascript: 'npm',
  pip: 'PyPI',
  pipenv: 'PyPI',
  poetry: 'PyPI',
  uv: 'PyPI',
  'python-pkg': 'PyPI',
  python: 'PyPI',
  bundler: 'RubyGems',
  gemspec: 'RubyGems',
  rubygems: 'RubyGems',
  'rust-binary': 'crates.io',
  'rust-crate': 'crates.io',
  'composer-vendor': 'Packagist',
  'php-composer': 'Packagist',
  gomod: 'Go',
  gobinary: 'Go',
  'go-module': 'Go',
  jar: 'Maven',
  pom: 'Maven',
  gradle: 'Maven',
  sbt: 'Maven',
  'java-archive': 'Maven',
  'jenkins-plugin': 'Maven',
  'dotnet-core': 'NuGet',
  'packages-props': 'NuGet',
  dotnet: 'NuGet',
  mix: 'Hex',
  'conda-pkg': 'conda',
  'conda-environment': 'conda',
};

export interface EcosystemContext {
  os?: { family: string; release?: string | undefined } | undefined;
}

/**
 * The ecosystem of a package given the scanner's type word. OS types (`debian`, `alpine`, `deb`,
 * `apk`…) use the report's OS release; undefined when the type is not one we know.
 */
export function ecosystemForType(type: string | undefined, ctx: EcosystemContext = {}): string | undefined {
  if (!type) return ctx.os ? osvEcosystem(ctx.os.family, ctx.os.release) : undefined;
  const t = type.toLowerCase();
  const lang = LANGUAGE[t];
  if (lang) return lang;
  if (OS_PACKAGE_TYPES.has(t)) return ctx.os ? osvEcosystem(ctx.os.family, ctx.os.release) : undefined;
  // Trivy writes the OS family as the result type for OS packages.
  const sameFamily = ctx.os && ctx.os.family.toLowerCase() === t;
  return osvEcosystem(t, sameFamily ? ctx.os?.release : undefined);
}
