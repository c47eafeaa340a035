// Which feeds run: defaults, URLs from the config, OSV per ecosystem in use, --feed selection,
// and the incremental index's reading (newest first, stop at what is held).
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_DOWNLOAD_BYTES, osvEcosystemsInUse, resolveFeeds } from './feed-list.js';
import { changedSince } from './osv-incremental.js';

describe('resolveFeeds', () => {
  it('uses the public URLs by default, one OSV feed per base ecosystem in use', () => {
    const feeds = resolveFeeds({}, ['Debian:12', 'Debian:11', 'Alpine:v3.18', 'npm', '', 'not-an-ecosystem']);
    expect(feeds.map((f) => [f.name, f.url])).toEqual([
      ['kev', 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json'],
      ['epss', 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz'],
      ['osv:Alpine', 'https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip'],
      ['osv:Debian', 'https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip'],
      ['osv:npm', 'https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip'],
      ['cve', 'https://github.com/CVEProject/cvelistV5/archive/refs/heads/main.zip'],
    ]);
    expect(feeds.every((f) => f.maxBytes === DEFAULT_MAX_DOWNLOAD_BYTES)).toBe(true);
  });

  it('takes URLs, ecosystems, ceilings and disabled feeds from the config; --feed picks', () => {
    const config = {
      advisories: {
        feeds: {
          osv: { url: 'https://mirror.example/osv/', ecosystems: ['Rocky Linux'] },
          epss: { enabled: false },
          cve: { url: '/srv/mirror/cvelistV5.zip' },
        },
        maxDownloadBytes: 1000,
      },
    };
    const feeds = resolveFeeds(config, ['Debian:12']);
    expect(feeds.map((f) => [f.name, f.url, f.maxBytes])).toEqual([
      ['kev', 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json', 1000],
      ['osv:Rocky Linux', 'https://mirror.example/osv/Rocky%20Linux/all.zip', 1000],
      ['cve', '/srv/mirror/cvelistV5.zip', 1000],
    ]);
    expect(resolveFeeds(config, [], ['osv', 'cve']).map((f) => f.name)).toEqual(['osv:Rocky Linux', 'cve']);
    expect(resolveFeeds(config, [], ['osv:Rocky Linux']).map((f) => f.name)).toEqual(['osv:Rocky Linux']);
  });

  it('maps package ecosystems to OSV bucket names', () => {
    expect(osvEcosystemsInUse(['Ubuntu:22.04:LTS', 'Alpine:3.18.4', 'PyPI', 'crates.io'])).toEqual([
      'Alpine',
      'PyPI',
      'Ubuntu',
      'crates.io',
    ]);
  });
});

describe('changedSince (modified_id.csv)', () => {
  const csv =
    '2026-03-09T01:23:37.553205Z,DLA-3022-1\n2026-03-09T01:20:46.878115Z,DLA-3012-1\n2014-09-20T08:18:07Z,DSA-3029-1\n';
  it('lists the ids newer than what is held, newest first', () => {
    expect(changedSince(csv, new Date('2026-03-09T01:20:46.877Z'))).toEqual(['DLA-3022-1', 'DLA-3012-1']);
    // Held to the millisecond (what a JS Date keeps of OSV's microseconds): not changed.
    expect(changedSince(csv, new Date('2026-03-09T01:20:46.878Z'))).toEqual(['DLA-3022-1']);
    expect(changedSince(csv, new Date('2026-03-09T01:23:37.554Z'))).toEqual([]);
  });
  it('refuses lines that are not <modified>,<id> (and ids that could leave the directory)', () => {
    expect(changedSince('modified,id\n', new Date(0))).toBeUndefined();
    expect(changedSince('2026-01-01T00:00:00Z,../../etc/passwd\n', new Date(0))).toBeUndefined();
  });
});
