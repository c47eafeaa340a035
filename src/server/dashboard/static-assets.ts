// `/static/<name>`: the dashboard's few files, served by Runsight itself (it runs air-gapped: no
// CDN) — its stylesheet from web/ and the vendored libraries from node_modules — from a fixed list
// (no path from the request reaches the file system), with their content type, an ETag and a
// cache lifetime. Read once, then kept in memory.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const ROOT = new URL('../../../', import.meta.url);
/** Resolves a dependency's file wherever npm put the package (a global install may hoist it). */
const require = createRequire(import.meta.url);

interface Asset {
  /** A file of Runsight's own package (relative to its root)… */
  file?: string;
  /** …or of a dependency, by module specifier. */
  module?: string;
  type: string;
}

export const ASSETS: Record<string, Asset> = {
  'dashboard.css': { file: 'web/dashboard.css', type: 'text/css; charset=utf-8' },
  'trend-chart.js': { file: 'web/trend-chart.js', type: 'text/javascript; charset=utf-8' },
  'fragments.js': { file: 'web/fragments.js', type: 'text/javascript; charset=utf-8' },
  'htmx.min.js': { module: 'htmx.org/dist/htmx.min.js', type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { module: 'uplot/dist/uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { module: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
};

/** One hour: the names carry no version, so a browser re-checks (ETag) after an upgrade. */
export const STATIC_CACHE_CONTROL = 'public, max-age=3600';

const loaded = new Map<string, { body: Uint8Array; etag: string }>();

function load(name: string): { body: Uint8Array; etag: string } | undefined {
  const asset = ASSETS[name];
  if (!asset) return undefined;
  let hit = loaded.get(name);
  if (!hit) {
    const path = asset.module ? require.resolve(asset.module) : new URL(asset.file!, ROOT);
    const body = new Uint8Array(readFileSync(path));
    hit = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    loaded.set(name, hit);
  }
  return hit;
}

/** The response for `/static/<name>`: 200, 304 on a matching If-None-Match, 404 for a name not listed. */
export function staticResponse(name: string, ifNoneMatch: string | undefined): Response {
  const hit = load(name);
  if (!hit)
    return new Response('not found', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  const headers = {
    'content-type': ASSETS[name]!.type,
    'cache-control': STATIC_CACHE_CONTROL,
    etag: hit.etag,
    'x-content-type-options': 'nosniff',
  };
  if (ifNoneMatch === hit.etag) return new Response(null, { status: 304, headers });
  return new Response(hit.body, { status: 200, headers });
}
