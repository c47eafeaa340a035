// OS detection on the folded image: /etc/os-release (or /usr/lib/os-release, following symlinks
// inside the image), then the older release files; distroless images (dpkg status.d/ without a
// status file) are recognised too. The result names the OSV ecosystem with its release
// (`Debian:12`, `Alpine:v3.18`, `Ubuntu:22.04`, `AlmaLinux:8`, `Mariner:2.0`, `Red Hat`…).
// Specs: os-release(5); the ecosystem name comes from versioning's osvEcosystem (shared with importers).
import { osvEcosystem } from '../../../../versioning/index.js';
import { type ImageView, lookup } from '../../../fold.js';

export interface OsInfo {
  /** os-release ID (debian, ubuntu, alpine, rhel, almalinux, rocky, mariner, azurelinux, sles, …). */
  family: string;
  /** VERSION_ID (or the release file's version). */
  release?: string | undefined;
  /** OSV ecosystem with release, when the family has one. */
  ecosystem?: string | undefined;
  prettyName?: string | undefined;
  distroless?: boolean | undefined;
}

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    out[m[1]!] = v.replace(/\\(["'$`\\])/g, '$1');
  }
  return out;
}

function fact(view: ImageView, path: string): string | undefined {
  return lookup(view, path, 'os/release')?.facts?.content;
}

export function detectOs(view: ImageView): OsInfo | undefined {
  const distroless = isDistroless(view);
  const osRelease = fact(view, 'etc/os-release') ?? fact(view, 'usr/lib/os-release');
  if (osRelease) {
    const kv = parseOsRelease(osRelease);
    const family = (kv.ID ?? '').toLowerCase();
    let release = kv.VERSION_ID;
    if (family === 'alpine') release = fact(view, 'etc/alpine-release')?.trim() || release;
    if (family === 'debian' && !release) release = debianRelease(fact(view, 'etc/debian_version'));
    if (family) {
      const info: OsInfo = { family, release, prettyName: kv.PRETTY_NAME };
      info.ecosystem = osvEcosystem(family, release);
      if (distroless || /distroless/i.test(kv.PRETTY_NAME ?? '')) info.distroless = true;
      return info;
    }
  }
  const alpine = fact(view, 'etc/alpine-release');
  if (alpine) return withEcosystem({ family: 'alpine', release: alpine.trim() });
  const debian = fact(view, 'etc/debian_version');
  if (debian) return withEcosystem({ family: 'debian', release: debianRelease(debian), distroless });
  const redhat = fact(view, 'etc/redhat-release') ?? fact(view, 'etc/system-release');
  if (redhat) return withEcosystem(parseRedhatRelease(redhat));
  const mariner = fact(view, 'etc/mariner-release');
  if (mariner) {
    const m = /(\d+\.\d+)/.exec(mariner);
    return withEcosystem({ family: 'mariner', release: m?.[1] });
  }
  if (distroless) return { family: 'debian', distroless: true };
  return undefined;
}

function withEcosystem(info: OsInfo): OsInfo {
  return { ...info, ecosystem: osvEcosystem(info.family, info.release) };
}

/** `12.5` → `12`; `bookworm/sid` → undefined (testing has no stable release number). */
function debianRelease(text: string | undefined): string | undefined {
  const m = /^(\d+)(\.\d+)*\s*$/.exec((text ?? '').trim());
  return m?.[1];
}

function parseRedhatRelease(text: string): OsInfo {
  const version = /release\s+(\d+(\.\d+)*)/i.exec(text)?.[1];
  const families: [RegExp, string][] = [
    [/almalinux/i, 'almalinux'],
    [/rocky/i, 'rocky'],
    [/centos/i, 'centos'],
    [/fedora/i, 'fedora'],
    [/oracle/i, 'ol'],
    [/red hat/i, 'rhel'],
  ];
  const family = families.find(([re]) => re.test(text))?.[1] ?? 'rhel';
  return { family, release: version };
}

function isDistroless(view: ImageView): boolean {
  let statusD = false;
  for (const path of view.records.keys()) {
    if (path === 'var/lib/dpkg/status') return false;
    if (path.startsWith('var/lib/dpkg/status.d/')) statusD = true;
  }
  return statusD;
}
