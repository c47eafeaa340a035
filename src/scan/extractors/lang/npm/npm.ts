// lang/npm: Node.js packages from package-lock.json (lockfileVersion 1, 2 and 3) and from installed
// `node_modules/**/package.json` manifests. Lockfile semantics follow npm's documentation and
// Trivy's parser (pkg/dependency/parser/nodejs/npm): v1 walks the nested `dependencies` tree; v2/v3
// read the flat `packages` map, resolving workspace links. Spec:
// https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json
import { z } from 'zod';
import { MalformedFileError } from '../../../errors.js';
import type { ExtractedPackage, Extractor } from '../../../types.js';

const MANIFEST = /(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/@.][^/]*\/package\.json$/;

export const npmExtractor: Extractor = {
  name: 'lang/npm',
  version: 1,
  fileRequired: (f) =>
    f.path.endsWith('package-lock.json')
      ? /(?:^|\/)(?:\.?package-lock)\.json$/.test(f.path) && !f.path.includes('/node_modules/.cache/')
      : f.path.endsWith('/package.json') && MANIFEST.test(f.path),
  async extract(input) {
    const text = (await input.bytes()).toString('utf8');
    if (input.path.endsWith('package.json')) return { packages: parsePackageJson(text, input.path) };
    return { packages: parsePackageLock(text, input.path) };
  },
};

const V1Dep: z.ZodType<V1Dep> = z.lazy(() =>
  z.object({
    version: z.string().optional(),
    dev: z.boolean().optional(),
    dependencies: z.record(z.string(), V1Dep).optional(),
  }),
);
interface V1Dep {
  version?: string | undefined;
  dev?: boolean | undefined;
  dependencies?: Record<string, V1Dep> | undefined;
}
const V2Entry = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  dev: z.boolean().optional(),
  link: z.boolean().optional(),
  resolved: z.string().optional(),
});
const Lockfile = z.object({
  lockfileVersion: z.number().optional(),
  dependencies: z.record(z.string(), V1Dep).optional(),
  packages: z.record(z.string(), V2Entry).optional(),
});

export function parsePackageLock(text: string, path: string): ExtractedPackage[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MalformedFileError(path, `not JSON: ${(err as Error).message}`);
  }
  const parsed = Lockfile.safeParse(json);
  if (!parsed.success) throw new MalformedFileError(path, `not a package-lock.json: ${parsed.error.message}`);
  const lock = parsed.data;
  const out = new Map<string, ExtractedPackage>();
  const add = (name: string, version: string, dev: boolean) => {
    const key = `${name}@${version}`;
    const prev = out.get(key);
    if (prev) {
      // A package needed outside dev anywhere is not a dev package.
      if (!dev && prev.meta?.dev) prev.meta.dev = false;
      return;
    }
    out.set(key, { kind: 'npm', name, version, meta: { dev } });
  };
  if (lock.packages && (lock.lockfileVersion ?? 1) >= 2) {
    for (const [key, entry] of Object.entries(lock.packages)) {
      if (key === '' || !key.includes('node_modules/')) continue;
      const name = entry.name ?? nameFromPath(key);
      if (entry.link) {
        const target = entry.resolved ? lock.packages[entry.resolved] : undefined;
        add(name, target?.version ?? '', target?.dev ?? false);
        continue;
      }
      if (!entry.version) continue;
      add(name, entry.version, entry.dev ?? false);
    }
  } else {
    const walk = (deps: Record<string, V1Dep>) => {
      for (const [name, d] of Object.entries(deps)) {
        if (d.version && !d.version.startsWith('file:')) add(name, d.version, d.dev ?? false);
        if (d.dependencies) walk(d.dependencies);
      }
    };
    walk(lock.dependencies ?? {});
  }
  return [...out.values()];
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`. */
function nameFromPath(key: string): string {
  return key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

const Manifest = z.object({ name: z.string(), version: z.string() });

export function parsePackageJson(text: string, path: string): ExtractedPackage[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new MalformedFileError(path, `not JSON: ${(err as Error).message}`);
  }
  const m = Manifest.safeParse(json);
  // A manifest without a name or version is a private folder, not an installed package.
  if (!m.success) return [];
  return [{ kind: 'npm', name: m.data.name, version: m.data.version }];
}
