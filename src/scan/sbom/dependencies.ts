// The SBOM's dependency graph: which package depends on which, where the package manager states
// it. dpkg Pre-Depends/Depends and the Go main module's modules arrive as `Package.dependsOn`
// (names; the extractors keep them as `meta.depends`, `dependsOnOf` turns that into the field);
// npm's nesting is read from the paths (`a/node_modules/b/package.json` is installed for `a`).
// A name resolves to an installed package of the same ecosystem — the first alternative that is
// installed; Go modules only within the same binary — and names that resolve to nothing (virtual
// packages, packages not installed) are dropped.
import type { Package } from '../../core/types.js';
import type { ExtractedPackage } from '../types.js';

/** `meta.depends` of an extracted package as `Package.dependsOn` (`''` → `[]`, absent → undefined). */
export function dependsOnOf(p: Pick<ExtractedPackage, 'meta'>): string[] | undefined {
  const d = p.meta?.depends;
  if (typeof d !== 'string') return undefined;
  return d === '' ? [] : d.split(',');
}

/**
 * Edges by package index: for each package whose dependencies are known, the indexes of the
 * packages it depends on (possibly none). Packages with unknown dependencies have no entry.
 */
export function dependencyGraph(packages: readonly Package[]): Map<number, number[]> {
  const byName = new Map<string, number[]>();
  packages.forEach((p, i) => {
    const k = `${p.ecosystem}\u0000${p.name}`;
    byName.set(k, [...(byName.get(k) ?? []), i]);
  });
  const graph = new Map<number, number[]>();
  const add = (from: number, to: number) => {
    if (from === to) return;
    const list = graph.get(from) ?? [];
    if (!list.includes(to)) list.push(to);
    graph.set(from, list);
  };
  packages.forEach((p, i) => {
    if (!p.dependsOn) return;
    graph.set(i, graph.get(i) ?? []);
    const sameBinary = p.ecosystem === 'Go';
    for (const group of p.dependsOn) {
      for (const alt of group.split('|')) {
        const found = (byName.get(`${p.ecosystem}\u0000${alt}`) ?? []).filter(
          (j) => !sameBinary || packages[j]!.path === p.path,
        );
        const best = found.find((j) => packages[j]!.path === p.path) ?? found[0];
        if (best !== undefined) {
          add(i, best);
          break;
        }
      }
    }
  });
  // npm: a package installed in another's node_modules is there because that package needs it.
  const npmAt = new Map<string, number>();
  packages.forEach((p, i) => {
    if (p.ecosystem === 'npm' && p.path) npmAt.set(npmDir(p.path), i);
  });
  for (const [dir, i] of npmAt) {
    const cut = dir.lastIndexOf('/node_modules/');
    const parent = cut > 0 ? npmAt.get(dir.slice(0, cut)) : undefined;
    if (parent !== undefined) add(parent, i);
  }
  return graph;
}

function npmDir(path: string): string {
  return path.endsWith('/package.json') ? path.slice(0, -'/package.json'.length) : path;
}
