// lang/java: Maven artefacts inside jar, war and ear archives — every
// `META-INF/maven/<group>/<artifact>/pom.properties`, else the MANIFEST.MF identity, else the file
// name — recursing into nested archives (Spring Boot `BOOT-INF/lib/`, `WEB-INF/lib/`, ear modules).
// Specs: JAR File Specification (MANIFEST.MF); Maven archiver (pom.properties).
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';
import { readZip, ZipLimitError } from './zip.js';

const ARCHIVE = /\.(jar|war|ear|par|sar|jpi|hpi)$/i;
const MAX_DEPTH = 4;

export const javaExtractor: Extractor = {
  name: 'lang/java',
  version: 1,
  fileRequired: (f) => ARCHIVE.test(f.path),
  async extract(input) {
    const data = await input.bytes();
    const budget = { remaining: Math.max(64 * 1024 * 1024, data.length * 4) };
    try {
      return { packages: await archivePackages(data, input.path, '', 0, budget) };
    } catch (err) {
      if (err instanceof ZipLimitError) throw new MalformedFileError(input.path, err.message);
      throw new MalformedFileError(input.path, `not a readable Java archive: ${(err as Error).message}`);
    }
  },
};

async function archivePackages(
  data: Buffer,
  fileName: string,
  subPath: string,
  depth: number,
  budget: { remaining: number },
): Promise<ExtractedPackage[]> {
  const poms: ExtractedPackage[] = [];
  const nested: ExtractedPackage[] = [];
  let manifest: Record<string, string> | undefined;
  const here = (inner: string) => (subPath ? `${subPath}!${inner}` : inner);
  await readZip(
    data,
    (name) =>
      name === 'META-INF/MANIFEST.MF' ||
      (name.startsWith('META-INF/maven/') && name.endsWith('/pom.properties')) ||
      (depth < MAX_DEPTH && ARCHIVE.test(name)),
    async (name, content) => {
      if (name === 'META-INF/MANIFEST.MF') manifest = parseManifest(content.toString('utf8'));
      else if (name.endsWith('pom.properties')) {
        const p = parseProperties(content.toString('utf8'));
        if (p.groupId && p.artifactId && p.version)
          poms.push(maven(p.groupId, p.artifactId, p.version, subPath || undefined));
      } else {
        nested.push(...(await archivePackages(content, name, here(name), depth + 1, budget)));
      }
    },
    budget,
  );
  if (poms.length) return [...poms, ...nested];
  const own = fromManifest(manifest, fileName, subPath || undefined);
  return own ? [own, ...nested] : nested;
}

function maven(
  group: string,
  artifact: string,
  version: string,
  subPath: string | undefined,
): ExtractedPackage {
  return { kind: 'maven', namespace: group, name: `${group}:${artifact}`, version, subPath };
}

function fromManifest(
  m: Record<string, string> | undefined,
  fileName: string,
  subPath: string | undefined,
): ExtractedPackage | undefined {
  const base = fileName.slice(fileName.lastIndexOf('/') + 1).replace(ARCHIVE, '');
  const fromName = /^(.+?)-(\d[\w.+-]*)$/.exec(base);
  const symbolic = m?.['Bundle-SymbolicName']?.split(';')[0]?.trim();
  const version = m?.['Implementation-Version'] ?? m?.['Bundle-Version'] ?? fromName?.[2];
  const artifact = fromName?.[1] ?? m?.['Implementation-Title'] ?? symbolic;
  const group =
    m?.['Implementation-Vendor-Id'] ??
    (symbolic?.includes('.') ? symbolic.slice(0, symbolic.lastIndexOf('.')) : undefined) ??
    m?.['Automatic-Module-Name']?.split('.').slice(0, -1).join('.');
  if (!artifact || !version) return undefined;
  return maven(group || artifact, artifact, version, subPath);
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
