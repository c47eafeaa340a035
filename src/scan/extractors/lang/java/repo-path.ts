// Maven coordinates read off an archive's place in a Maven repository layout:
// `<root>/<group as path>/<artifact>/<version>/<artifact>-<version>[-<classifier>].<ext>`. Only under
// roots known to hold that layout (`.m2/repository`, Debian's `usr/share/maven-repo`), where the
// group starts right after the root; anywhere else a path says nothing about a group.
// Exported for the fold as well: Debian's maven-repo entries are symbolic links to
// `usr/share/java/*.jar`, and only the fold knows which link points at which real file.
// Spec: Maven "Repository Layout" (maven.apache.org/repository/layout.html).
import type { ExtractedPackage } from '../../../types.js';

export interface MavenCoordinates {
  group: string;
  artifact: string;
  version: string;
}

/** Path prefixes (segments) after which the Maven repository layout starts. */
const ROOTS: readonly (readonly string[])[] = [
  ['.m2', 'repository'],
  ['usr', 'share', 'maven-repo'],
];

/**
 * The coordinates an image path (no leading `/`) states by its place in a Maven repository, or
 * undefined when it is not under a known root or does not follow the layout. Debian's placeholder
 * version directory `debian` (`…/guice-servlet/debian/guice-servlet-debian.jar`) states no version.
 */
export function mavenRepositoryCoordinates(path: string): MavenCoordinates | undefined {
  const segs = path.split('/');
  const start = rootEnd(segs);
  if (start === undefined) return undefined;
  const rest = segs.slice(start);
  // at least one group segment, then artifact, version, file
  if (rest.length < 4) return undefined;
  const file = rest[rest.length - 1]!;
  const version = rest[rest.length - 2]!;
  const artifact = rest[rest.length - 3]!;
  const group = rest.slice(0, -3);
  if (version === 'debian' || group.some((g) => g === '' || g.startsWith('.'))) return undefined;
  if (!fileFollowsLayout(file, artifact, version)) return undefined;
  return { group: group.join('.'), artifact, version };
}

function rootEnd(segs: string[]): number | undefined {
  for (const root of ROOTS) {
    for (let i = 0; i + root.length <= segs.length; i++) {
      if (root.every((r, j) => segs[i + j] === r)) return i + root.length;
    }
  }
  return undefined;
}

/** `<artifact>-<version>.<ext>` or `<artifact>-<version>-<classifier>.<ext>`; snapshots may be timestamped. */
function fileFollowsLayout(file: string, artifact: string, version: string): boolean {
  const stems = [`${artifact}-${version}`];
  if (version.endsWith('-SNAPSHOT')) stems.push(`${artifact}-${version.slice(0, -'SNAPSHOT'.length)}`);
  return stems.some((stem, i) => {
    if (!file.startsWith(stem)) return false;
    const tail = file.slice(stem.length);
    // a timestamped snapshot: `<base>-20200101.123456-1[-classifier].jar`
    const t = i === 1 ? /^\d{8}\.\d{6}-\d+(.*)$/.exec(tail)?.[1] : tail;
    return t !== undefined && /^(-[^/]+)?\.[A-Za-z]+$/.test(t);
  });
}

/**
 * For the fold (Debian: `usr/share/maven-repo/…/guice-servlet-4.2.3.jar` → `../…/java/guice-servlet.jar`):
 * every real file that symbolic links laid out as a Maven repository point at, with the one set of
 * coordinates they state. A file that links name under different coordinates (a relocation)
 * gets none. `resolve` turns a link's path into the real file's (the fold's `resolveInImage`).
 */
export function coordinatesOfLinkTargets(
  symlinks: ReadonlyMap<string, string>,
  resolve: (path: string) => string | undefined,
): Map<string, MavenCoordinates> {
  const found = new Map<string, MavenCoordinates | null>();
  for (const link of symlinks.keys()) {
    const c = mavenRepositoryCoordinates(link);
    const target = c && resolve(link);
    if (!c || target === undefined) continue;
    const prev = found.get(target);
    if (prev === undefined) found.set(target, c);
    else if (prev && (prev.group !== c.group || prev.artifact !== c.artifact || prev.version !== c.version))
      found.set(target, null);
  }
  const out = new Map<string, MavenCoordinates>();
  for (const [path, c] of found) if (c) out.set(path, c);
  return out;
}

/**
 * A package of the archive itself (not a nested one) whose identity rests on less than its place in
 * a repository (`manifest`, `file-name`) takes the coordinates of that place; others are unchanged.
 */
export function withRepositoryCoordinates(p: ExtractedPackage, c: MavenCoordinates): ExtractedPackage {
  if (p.kind !== 'maven' || p.subPath || (p.evidence !== 'manifest' && p.evidence !== 'file-name')) return p;
  return {
    ...p,
    namespace: c.group,
    name: `${c.group}:${c.artifact}`,
    version: c.version,
    evidence: 'maven-repository-path',
  };
}
