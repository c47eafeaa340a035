// `db update` without --source runs the configured feeds (here an air-gapped mirror: local paths
// into testdata/feeds, so nothing leaves the machine), and `db status` reports each feed's age,
// last outcome, error and next run. A failed feed exits 4 and keeps the others' data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';

const FEEDS = join(import.meta.dirname, '../../../../testdata/feeds');
const tmp = mkdtempSync(join(tmpdir(), 'runsight-feedscli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function config(kevUrl: string): string {
  const file = join(tmp, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    file,
    [
      'cadence:',
      '  advisories: 6h',
      'advisories:',
      '  feeds:',
      `    osv: { url: ${JSON.stringify(join(FEEDS, 'osv'))}, ecosystems: [Debian] }`,
      `    kev: { url: ${JSON.stringify(kevUrl)} }`,
      `    epss: { url: ${JSON.stringify(join(FEEDS, 'epss/epss_scores-current.csv.gz'))} }`,
      `    cve: { url: ${JSON.stringify(join(FEEDS, 'cve/main.zip'))} }`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

interface FeedJson {
  name: string;
  outcome?: string;
  lastOutcome?: string;
  lastError?: string | null;
  lastAttemptAt?: string;
  nextRunAt?: string | null;
  ageSeconds?: number | null;
}

describe('db update (feeds) and db status', () => {
  const data = ['--data-dir', join(tmp, 'data')];

  it('loads the configured feeds, then reports them in db status', async () => {
    const r = await runCli([
      ...data,
      '--config',
      config(join(FEEDS, 'kev/known_exploited_vulnerabilities.json')),
      '--format',
      'json',
      'db',
      'update',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json<{ feeds: FeedJson[]; failed: number }>();
    expect(out.feeds.map((f) => [f.name, f.outcome])).toEqual([
      ['kev', 'updated'],
      ['epss', 'updated'],
      ['osv:Debian', 'updated'],
      ['cve', 'updated'],
    ]);
    const s = await runCli([...data, '--config', config('unused'), '--format', 'json', 'db', 'status']);
    expect(s.code).toBe(0);
    const st = s.json<{ feeds: FeedJson[]; counts: Record<string, number> }>();
    expect(st.counts).toMatchObject({ advisories: 4, kev: 1, epss: 2, cve_scores: 2 });
    expect(st.feeds.map((f) => f.name)).toEqual(['cve', 'epss', 'kev', 'osv:Debian']);
    for (const f of st.feeds) {
      expect(f.lastOutcome).toBe('updated');
      expect(Date.parse(f.nextRunAt!) - Date.parse(f.lastAttemptAt!)).toBe(6 * 3600 * 1000);
    }
  }, 300_000);

  it('exits 4 naming a failed feed, keeps its data and shows the error in db status', async () => {
    const missing = join(tmp, 'no-such-kev.json');
    const r = await runCli([
      ...data,
      '--config',
      config(missing),
      'db',
      'update',
      '--feed',
      'kev',
      '--feed',
      'osv',
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`kev (${missing} cannot be read: ENOENT)`);
    const s = await runCli([...data, '--config', config(missing), '--format', 'json', 'db', 'status']);
    const st = s.json<{ feeds: FeedJson[]; counts: Record<string, number> }>();
    expect(st.counts.kev).toBe(1);
    const kev = st.feeds.find((f) => f.name === 'kev')!;
    expect(kev.lastOutcome).toBe('failed');
    expect(kev.lastError).toBe(`${missing} cannot be read: ENOENT`);
    expect(kev.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(st.feeds.find((f) => f.name === 'osv:Debian')?.lastOutcome).toBe('unchanged');
  }, 300_000);

  it('refuses an unknown --feed and --kind without --source (exit 2, nothing fetched)', async () => {
    const cfg = config(join(FEEDS, 'kev/known_exploited_vulnerabilities.json'));
    const r = await runCli([...data, '--config', cfg, 'db', 'update', '--feed', 'nvd']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no feed named nvd');
    const k = await runCli([...data, '--config', cfg, 'db', 'update', '--kind', 'osv']);
    expect(k.code).toBe(2);
  }, 300_000);
});
