// Path handling inside an image: tar entry names are normalised to root-relative paths, and link
// targets are resolved against the image root only — `..` stops at `/`, absolute targets start at
// the image root — so nothing can point outside the image.

/** `./usr/bin/../lib/x` → `usr/lib/x`; returns undefined when `..` would climb above the root. */
export function normalizeEntryPath(name: string): string | undefined {
  const out: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      continue;
    }
    out.push(seg);
  }
  return out.join('/');
}

/** Like normalizeEntryPath, but `..` at the root stays at the root (chroot semantics for links). */
export function clampPath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

export function dirname(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The image path a symlink at `linkPath` with `target` points to (never outside the image). */
export function linkTargetPath(linkPath: string, target: string): string {
  return target.startsWith('/') ? clampPath(target) : clampPath(`${dirname(linkPath)}/${target}`);
}

/** True when `path` is `dir` or lies under it (`dir` = '' is the root). */
export function isUnder(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

const MAX_HOPS = 40;

/**
 * Resolves every symlink along `path` inside the image, like the kernel under chroot: `symlinks`
 * maps a link's path to its raw target. Returns undefined on a loop (more than 40 hops).
 */
export function resolveInImage(path: string, symlinks: ReadonlyMap<string, string>): string | undefined {
  let hops = 0;
  let pending = clampPath(path).split('/').filter(Boolean);
  const done: string[] = [];
  while (pending.length > 0) {
    const seg = pending.shift()!;
    const candidate = done.length ? `${done.join('/')}/${seg}` : seg;
    const target = symlinks.get(candidate);
    if (target === undefined) {
      done.push(seg);
      continue;
    }
    if (++hops > MAX_HOPS) return undefined;
    const resolved = linkTargetPath(candidate, target);
    pending = [...resolved.split('/').filter(Boolean), ...pending];
    done.length = 0;
  }
  return done.join('/');
}
