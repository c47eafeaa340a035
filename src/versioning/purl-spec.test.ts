// The purl spec's own test suite (testdata/versions/purl-spec/test-suite-data.json, a byte-for-byte
// copy): every case's purl parsed into its components, every valid case's components built back
// into its canonical purl. Cases that do not apply are listed by description with the reason, and
// the lists are checked against the file so that they cannot silently grow or go stale.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPurl, type PurlParts, parsePurl } from './index.js';

interface Case {
  description: string;
  purl: string;
  canonical_purl: string | null;
  type: string | null;
  namespace: string | null;
  name: string | null;
  version: string | null;
  qualifiers: Record<string, string> | null;
  subpath: string | null;
  is_invalid: boolean;
}

const CASES: Case[] = JSON.parse(
  readFileSync(new URL('../../testdata/versions/purl-spec/test-suite-data.json', import.meta.url), 'utf8'),
);

/** Invalid only by a type's own rules for types Runsight gives no rules (it parses them leniently). */
const TYPE_RULES_NOT_APPLIED: Record<string, string> = {
  'invalid conan purl only namespace': 'conan namespace/channel pairing',
  'invalid conan purl only channel qualifier': 'conan namespace/channel pairing',
  'invalid cran purl without version': 'cran requires a version',
  'invalid swift purl without namespace': 'swift requires a namespace',
  'invalid swift purl without version': 'swift requires a version',
};

/**
 * Canonical forms in this copy of the file that contradict the spec's encoding rule
 * (docs/standard/characters-and-encoding.md: only A–Z a–z 0–9 `.-_~` and `:` stay unencoded): `/`
 * left bare inside a qualifier value, and `:` encoded as `%3A`. The builder follows the rule; these
 * cases must still decode to the same text and parse to the same components.
 */
const ENCODING_DIFFERS: Record<string, string> = {
  'maven often uses qualifiers': '`/` in repository_url value left unencoded',
  'maven pom reference': '`/` in repository_url value left unencoded',
  'with `qualifiers.vcs_url` as SHA512 in hex representation': '`:` encoded as %3A',
  'with `qualifiers.download_url`': '`:` encoded as %3A',
};

const components = (c: Case) => ({
  type: c.type,
  namespace: c.namespace ?? undefined,
  name: c.name,
  version: c.version ?? undefined,
  qualifiers: c.qualifiers ?? {},
  subpath: c.subpath ?? undefined,
});

describe('purl-spec test-suite-data.json', () => {
  it('the lists of cases not applied name cases of the file', () => {
    const descriptions = new Set(CASES.map((c) => c.description));
    expect(CASES).toHaveLength(41);
    for (const d of [...Object.keys(TYPE_RULES_NOT_APPLIED), ...Object.keys(ENCODING_DIFFERS)])
      expect(descriptions.has(d), d).toBe(true);
  });

  const valid = CASES.filter((c) => !c.is_invalid);
  const invalid = CASES.filter((c) => c.is_invalid && !TYPE_RULES_NOT_APPLIED[c.description]);

  it.each(valid.map((c) => [c.description, c] as const))('parses: %s', (_, c) => {
    expect(parsePurl(c.purl)).toEqual(components(c));
    expect(parsePurl(c.canonical_purl!)).toEqual(components(c));
  });

  it.each(invalid.map((c) => [c.description, c] as const))('rejects: %s', (_, c) => {
    expect(parsePurl(c.purl)).toBeUndefined();
  });

  it.each(valid.map((c) => [c.description, c] as const))('builds: %s', (_, c) => {
    const built = formatPurl({
      type: c.type!,
      namespace: c.namespace ?? undefined,
      name: c.name!,
      version: c.version ?? undefined,
      qualifiers: c.qualifiers ?? undefined,
      subpath: c.subpath ?? undefined,
    });
    if (ENCODING_DIFFERS[c.description]) {
      expect(built).not.toBe(c.canonical_purl);
      expect(decodeURIComponent(built)).toBe(decodeURIComponent(c.canonical_purl!));
      expect(parsePurl(built)).toEqual(components(c));
    } else expect(built).toBe(c.canonical_purl);
  });
});

describe('formatPurl: the spec encoding', () => {
  it.each<[PurlParts, string]>([
    // Go main module built from a checkout: its version is `(devel)`.
    [
      { type: 'golang', namespace: 'example.com', name: 'app', version: '(devel)' },
      'pkg:golang/example.com/app@%28devel%29',
    ],
    [{ type: 'golang', name: 'x', version: '1.0(devel)' }, 'pkg:golang/x@1.0%28devel%29'],
    [{ type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' }, 'pkg:npm/%40babel/core@7.0.0'],
    [
      {
        type: 'deb',
        namespace: 'debian',
        name: 'libc6',
        version: '2.36-9+deb12u4',
        qualifiers: { distro: 'debian-12', arch: 'amd64' },
      },
      'pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12',
    ],
    // Debian epoch `:` stays as it is; a space is %20; `!*'` are encoded too.
    [
      { type: 'deb', namespace: 'debian', name: 'git', version: '1:2.39.2-1' },
      'pkg:deb/debian/git@1:2.39.2-1',
    ],
    [{ type: 'generic', name: "a b!*'", version: '1~rc' }, 'pkg:generic/a%20b%21%2A%27@1~rc'],
    // Qualifiers sorted by code point, not locale (upper-case keys are lower-cased first).
    [{ type: 'generic', name: 'x', qualifiers: { b: '1', A: '2', a_: '3' } }, 'pkg:generic/x?a=2&a_=3&b=1'],
  ])('%o → %s', (parts, expected) => {
    expect(formatPurl(parts)).toBe(expected);
    expect(parsePurl(expected)).toMatchObject({ name: parts.name, version: parts.version });
  });
});
