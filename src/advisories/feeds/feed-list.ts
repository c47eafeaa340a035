// The advisory feeds `runsight db update` fetches when no --source is named, with their default
// URLs, and how the config file (`advisories.feeds`, docs/configuration.md) moves or disables each.
// OSV is one feed per ecosystem in use: the base ecosystems of the stored SBOMs' packages
// (`Debian:12` → `Debian`), each the bucket's `<Ecosystem>/all.zip`. A URL may be http(s), file://
// or a local path (an air-gapped mirror): OSV's is a base under which `<Ecosystem>/all.zip` lies.
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdvisorySourceKind } from '../../core/advisory.js';
import { baseEcosystem, isKnownEcosystem } from '../../versioning/index.js';

export const DEFAULT_FEED_URLS = {
  /** gs://osv-vulnerabilities over HTTPS: `<Ecosystem>/all.zip`, `<Ecosystem>/modified_id.csv`. */
  osv: 'https://osv-vulnerabilities.storage.googleapis.com',
  kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  epss: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
  /** The CVE List (CVE JSON 5) as one zip of its default branch; only `cves/<year>/…/CVE-*.json` is read. */
  cve: 'https://github.com/CVEProject/cvelistV5/archive/refs/heads/main.zip',
} as const;

/** Largest download per feed file unless `advisories.maxDownloadBytes` says otherwise (4 GiB). */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 4 * 1024 ** 3;

export type FeedFamily = keyof typeof DEFAULT_FEED_URLS;
export const FEED_FAMILIES: readonly FeedFamily[] = ['kev', 'epss', 'osv', 'cve'];

export interface FeedConfig {
  url?: string | undefined;
  /** false: never fetched (default true). */
  enabled?: boolean | undefined;
  /** Hex SHA-256 the downloaded file must have (a pinned mirror copy). */
  sha256?: string | undefined;
}

/** The part of the Runsight config the feeds read (structurally: the CLI's config satisfies it). */
export interface FeedsConfig {
  advisories?:
    | {
        feeds?:
          | {
              osv?: (FeedConfig & { ecosystems?: string[] | undefined }) | undefined;
              kev?: FeedConfig | undefined;
              epss?: FeedConfig | undefined;
              cve?: FeedConfig | undefined;
            }
          | undefined;
        maxDownloadBytes?: number | undefined;
      }
    | undefined;
  cadence?: { advisories?: string | undefined } | undefined;
}

export interface Feed {
  /** `osv:<Ecosystem>`, `kev`, `epss`, `cve`: the name in the `feeds` table and `--feed`. */
  name: string;
  family: FeedFamily;
  /** What is fetched: an http(s) URL or a local path (file, directory or zip). */
  url: string;
  /** The advisory kind the file is loaded as. */
  kind: AdvisorySourceKind;
  maxBytes: number;
  sha256?: string | undefined;
  /** Zip members loaded (others, such as cvelistV5's delta files, are left out). */
  members?: RegExp | undefined;
  /** A remote OSV feed: its bucket and ecosystem, for the incremental path (osv-incremental.ts). */
  osv?: { base: string; ecosystem: string } | undefined;
}

const CVE_MEMBERS = /(^|\/)cves\/\d{4}\/[^/]+\/CVE-\d{4}-\d+\.json$/;

/** An http(s) URL stays; `file://` becomes a path; anything else is taken as a local path. */
export function isRemote(url: string): boolean {
  return /^https?:\/\//i.test(url);
}

export function localPath(url: string): string {
  return /^file:\/\//i.test(url) ? fileURLToPath(url) : url;
}

/** `<base>/<Ecosystem>/<file>` for a URL base or a local directory. */
export function osvUrl(base: string, ecosystem: string, file: string): string {
  if (isRemote(base)) return `${base.replace(/\/+$/, '')}/${encodeURIComponent(ecosystem)}/${file}`;
  const dir = localPath(base);
  return join(isAbsolute(dir) ? dir : join(process.cwd(), dir), ecosystem, file);
}

/** OSV ecosystems (without release) for the package ecosystems stored; unknown ones are left out. */
export function osvEcosystemsInUse(packageEcosystems: string[]): string[] {
  const out = new Set<string>();
  for (const e of packageEcosystems) {
    if (!e) continue;
    const base = baseEcosystem(e);
    if (isKnownEcosystem(base)) out.add(base);
  }
  return [...out].sort();
}

/**
 * The feeds to run: every enabled family, OSV once per ecosystem (configured `osv.ecosystems`, else
 * those in use). `only` (from --feed) keeps the feeds named exactly or by family (`osv`).
 */
export function resolveFeeds(config: FeedsConfig, ecosystemsInUse: string[], only?: string[]): Feed[] {
  const fc = config.advisories?.feeds ?? {};
  const maxBytes = config.advisories?.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
  const feeds: Feed[] = [];
  for (const family of FEED_FAMILIES) {
    const c = fc[family];
    if (c?.enabled === false) continue;
    const url = c?.url ?? DEFAULT_FEED_URLS[family];
    if (family === 'osv') {
      const ecosystems = fc.osv?.ecosystems ?? osvEcosystemsInUse(ecosystemsInUse);
      for (const eco of ecosystems) {
        feeds.push({
          name: `osv:${eco}`,
          family,
          url: osvUrl(url, eco, 'all.zip'),
          kind: 'osv',
          maxBytes,
          sha256: undefined,
          osv: isRemote(url) ? { base: url, ecosystem: eco } : undefined,
        });
      }
    } else {
      feeds.push({
        name: family,
        family,
        url,
        kind: family,
        maxBytes,
        sha256: c?.sha256,
        members: family === 'cve' ? CVE_MEMBERS : undefined,
      });
    }
  }
  if (!only?.length) return feeds;
  return feeds.filter((f) => only.includes(f.name) || only.includes(f.family));
}
