// lang/java: Maven artefacts inside jar, war and ear archives, recursing into nested archives
// (Spring Boot `BOOT-INF/lib/`, `WEB-INF/lib/`, ear modules). Each identity records the evidence it
// rests on, most reliable first (docs/scan.md "Maven identity"): every
// `META-INF/maven/<group>/<artifact>/pom.properties`; else those directories' `pom.xml`; else the
// archive's place in a Maven repository layout; else MANIFEST.MF's Bundle-SymbolicName when it is
// what maven-bundle-plugin would name the artifact the file name states; else the file name alone
// (a guess: artifact only, no group, never matched against advisories).
// Archives over SPOOL_BYTES, outer or nested, are read from a temporary file (zip.ts), not memory.
// Specs: JAR File Specification (MANIFEST.MF); Maven archiver (pom.properties, pom.xml).
import type { PackageEvidence } from '../../../../core/package-evidence.js';
import { MalformedFileError } from '../../../errors.js';
import { SPOOL_BYTES, withLocalFile } from '../../../spool.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';
import { confirmedGroup } from './bundle-name.js';
import { parsePomXml } from './pom-xml.js';
import { mavenRepositoryCoordinates } from './repo-path.js';
import { readZip, ZipLimitError, type ZipSource } from './zip.js';

const ARCHIVE = /\.(jar|war|ear|par|sar|jpi|hpi)$/i;
const MAX_DEPTH = 4;
const MAVEN_DIR = /^META-INF\/maven\/([^/]+)\/([^/]+)\/pom\.xml$/;

export const javaExtractor: Extractor = {
  name: 'lang/java',
  version: 3,
  fileRequired: (f) => ARCHIVE.test(f.path),
  async extract(input) {
    const budget = { remaining: Math.max(64 * 1024 * 1024, input.size * 4) };
    try {
      // A large archive (a fat jar) is read from disk through its central directory.
      const packages =
        input.size > SPOOL_BYTES
          ? await withLocalFile(input, (path) => archivePackages(path, input.path, '', 0, budget))
          : await archivePackages(await input.bytes(), input.path, '', 0, budget);
      return { packages };
    } catch (err) {
      if (err instanceof ZipLimitError) throw new MalformedFileError(input.path, err.message);
      throw new MalformedFileError(input.path, `not a readable Java archive: ${(err as Error).message}`);
    }
  },
};

async function archivePackages(
  data: ZipSource,
  fileName: string,
  subPath: string,
  depth: number,
  budget: { remaining: number },
): Promise<ExtractedPackage[]> {
  const poms: ExtractedPackage[] = [];
  const pomDirs = new Set<string>();
  const pomXmls: [string, string][] = [];
  const nested: ExtractedPackage[] = [];
  let manifest: Record<string, string> | undefined;
  const sub = subPath || undefined;
  const here = (inner: string) => (subPath ? `${subPath}!${inner}` : inner);
  await readZip(
    data,
    (name) =>
      name === 'META-INF/MANIFEST.MF' ||
      (name.startsWith('META-INF/maven/') && name.endsWith('/pom.properties')) ||
      MAVEN_DIR.test(name) ||
      (depth < MAX_DEPTH && ARCHIVE.test(name)),
    async (name, { data: content, path }) => {
      if (content === undefined) {
        // Only nested archives are this large: read from their temporary file.
        if (ARCHIVE.test(name))
          nested.push(...(await archivePackages(path, name, here(name), depth + 1, budget)));
      } else if (name === 'META-INF/MANIFEST.MF') manifest = parseManifest(content.toString('utf8'));
      else if (name.endsWith('/pom.properties')) {
        const p = parseProperties(content.toString('utf8'));
        if (p.groupId && p.artifactId && p.version) {
          poms.push(maven(p.groupId, p.artifactId, p.version, sub, 'pom.properties'));
          pomDirs.add(name.slice(0, name.lastIndexOf('/')));
        }
      } else if (MAVEN_DIR.test(name)) {
        pomXmls.push([name, content.toString('utf8')]);
      } else {
        nested.push(...(await archivePackages(content, name, here(name), depth + 1, budget)));
      }
    },
    budget,
    SPOOL_BYTES,
  );
  // A pom.xml counts where no pom.properties stated the same artefact.
  for (const [name, text] of pomXmls) {
    if (pomDirs.has(name.slice(0, name.lastIndexOf('/')))) continue;
    const own = fromPomXml(name, text, fileName, manifest, sub);
    if (own) poms.push(own);
  }
  if (poms.length) return [...poms, ...nested];
  // A repository layout only describes the file itself, never an archive nested in it.
  const located = depth === 0 ? mavenRepositoryCoordinates(fileName) : undefined;
  const own = located
    ? maven(located.group, located.artifact, located.version, sub, 'maven-repository-path')
    : fromManifest(manifest, fileName, sub);
  return own ? [own, ...nested] : nested;
}

function maven(
  group: string,
  artifact: string,
  version: string,
  subPath: string | undefined,
  evidence: PackageEvidence,
): ExtractedPackage {
  return { kind: 'maven', namespace: group, name: `${group}:${artifact}`, version, subPath, evidence };
}

/**
 * `META-INF/maven/<group>/<artifact>/pom.xml`: the directory names are what Maven archived; the pom
 * must agree with them and supplies the version. A version the pom leaves to a property defined
 * elsewhere (`${revision}`) comes from the file name when it names this artifact, else from
 * Implementation-Version (Maven archiver writes the project version there).
 */
function fromPomXml(
  entry: string,
  text: string,
  fileName: string,
  manifest: Record<string, string> | undefined,
  subPath: string | undefined,
): ExtractedPackage | undefined {
  const [, group, artifact] = MAVEN_DIR.exec(entry)!;
  const pom = parsePomXml(text);
  if (!pom || pom.artifactId !== artifact || (pom.groupId !== undefined && pom.groupId !== group))
    return undefined;
  const version =
    pom.version ??
    nameSplits(baseName(fileName)).find((s) => s.artifact === artifact)?.version ??
    manifest?.['Implementation-Version'];
  return version ? maven(group!, artifact!, version, subPath, 'pom.xml') : undefined;
}

/**
 * The manifest confirmed by the file name (evidence `manifest`), else the file name alone
 * (evidence `file-name`: the artifact id as the name, no group, so that it cannot meet a
 * `group:artifact` advisory). The version is the file name's, else Implementation-Version, else
 * Bundle-Version.
 */
function fromManifest(
  m: Record<string, string> | undefined,
  fileName: string,
  subPath: string | undefined,
): ExtractedPackage | undefined {
  const splits = nameSplits(baseName(fileName));
  const stated = [m?.['Implementation-Version'], m?.['Bundle-Version']].filter((v): v is string => !!v);
  const symbolic = m?.['Bundle-SymbolicName']?.split(';')[0]?.trim();
  const vendor = m?.['Implementation-Vendor-Id']?.trim();
  if (symbolic) {
    for (const s of splits) {
      const group = confirmedGroup(symbolic, s.artifact, vendor);
      const version = s.version ?? stated[0];
      if (group && version) return maven(group, s.artifact, version, subPath, 'manifest');
    }
  }
  const best = splits.find((s) => s.version && stated.includes(s.version)) ?? splits[0]!;
  const version = best.version ?? stated[0];
  if (!best.artifact || !version) return undefined;
  return { kind: 'maven', name: best.artifact, version, subPath, evidence: 'file-name' };
}

function baseName(fileName: string): string {
  return fileName.slice(fileName.lastIndexOf('/') + 1).replace(ARCHIVE, '');
}

/**
 * Ways to read `<artifact>-<version>` off a file name: at every `-` followed by a digit
 * (`log4j-1.2-api-2.17.1` is `log4j` 1.2-api-2.17.1 or `log4j-1.2-api` 2.17.1), then the whole
 * name as an artifact without a version (Debian's `/usr/share/java/guice-servlet.jar`).
 */
function nameSplits(base: string): { artifact: string; version?: string | undefined }[] {
  const out: { artifact: string; version?: string }[] = [];
  for (let i = base.indexOf('-'); i > 0; i = base.indexOf('-', i + 1)) {
    if (/\d/.test(base[i + 1] ?? '')) out.push({ artifact: base.slice(0, i), version: base.slice(i + 1) });
  }
  out.push({ artifact: base });
  return out;
}

/** Java .properties (the subset Maven writes: `key=value`, `#` comments). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#') || t.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:]\s*(.*)$/.exec(t);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** MANIFEST.MF main section; continuation lines start with one space. */
export function parseManifest(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last) {
      out[last] += line.slice(1);
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    last = line.slice(0, i);
    out[last] = line.slice(i + 1).trim();
  }
  return out;
}
