// The scope report's HTML in a real browser (headless Chromium via playwright-core): it opens from a
// file with no console error, requests nothing but itself (no external URL, no script), escapes the
// hostile names a container carries, and shows the figures counted by hand from the server test
// fleet (src/server/test-support/fleet.ts) plus one hostile container running the vulnerable image:
// namespace=ns-a holds vm-1 and vm-3 (vulnerable) → 2 containers, 1 vulnerability, 2 instances.
// Screenshots land in test-results/reports/.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, CVE, type Fleet } from '../../server/test-support/fleet.js';
import { probeOrSkip } from '../../test-support/require-or-skip.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-results/reports';

const browserWorks = await probeOrSkip(`headless Chromium at ${CHROMIUM}`, async () => {
  const b = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  await b.close();
  return true;
});

let fleet: Fleet;
let browser: Browser;

beforeAll(async () => {
  if (!browserWorks) return;
  fleet = await buildFleet();
  const csv = join(fleet.dir, 'hostile.csv');
  writeFileSync(
    csv,
    [
      'source_id,cluster,namespace,workload,container,image,digest,started_at,labels,owner,environment,platform',
      `x-1,c9,<script>alert(1)</script>,"Deployment/<img src=http://127.0.0.1:9/x.png onerror=alert(2)>",app,registry.demo.local/library/alpine:3.18,${fleet.vulnerable},2026-11-22T02:00:00Z,,team,prod,linux/amd64`,
      '',
    ].join('\n'),
  );
  const r = await fleet.cli('inventory', 'import', csv, '--source-name', 'hostile');
  if (r.code !== 0) throw new Error(r.stderr);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

async function open(file: string, shot: string) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (req) => requests.push(req.url()));
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  const url = pathToFileURL(resolve(file)).href;
  await page.goto(url, { waitUntil: 'load' });
  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  return { page, errors, requests: requests.filter((u) => u !== url), dialogs };
}

describe.skipIf(!browserWorks)('scope report HTML in a browser', () => {
  it('namespace=ns-a: the figures, both charts, no request, no error', async () => {
    const file = join(fleet.dir, 'ns-a.html');
    const r = await fleet.cli(
      '--format',
      'html',
      'report',
      '--scope',
      'namespace=ns-a',
      '--by',
      'workload',
      '--output',
      file,
    );
    expect(r.code, r.stderr).toBe(0);
    const { page, errors, requests, dialogs } = await open(file, 'scope-ns-a.png');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    const cards = await page.locator('.card').allInnerTexts();
    expect(cards.map((c) => c.replace(/\s+/g, ' ').trim())).toEqual([
      '2 running containers',
      '1 distinct vulnerabilities',
      '0 critical',
      '0 in CISA KEV',
      '1 fixable',
      '2 instances',
    ]);
    expect(await page.locator('svg[aria-label="vulnerabilities by severity"] rect').count()).toBe(10);
    expect(await page.getByText('Scope: namespace=ns-a').count()).toBe(1);
    expect(await page.locator('table code', { hasText: CVE }).count()).toBe(1);
    expect(await page.locator('script').count()).toBe(0);
    await page.close();
  });

  it('the whole fleet with hostile names: escaped, nothing runs, nothing is fetched', async () => {
    const file = join(fleet.dir, 'fleet.html');
    const r = await fleet.cli('--format', 'html', 'report', '--by', 'workload', '--output', file);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/<script|<img|<link|<iframe|url\(/i);
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('&lt;img src=http://127.0.0.1:9/x.png onerror=alert(2)&gt;');
    const { page, errors, requests, dialogs } = await open(file, 'fleet-hostile.png');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    expect(dialogs).toEqual([]);
    // Shown as text: 6 containers (5 of the fleet and the hostile one), 4 running the vulnerable image.
    expect(
      await page.getByText('<img src=http://127.0.0.1:9/x.png onerror=alert(2)>', { exact: false }).count(),
    ).toBe(1);
    const cards = await page.locator('.card').allInnerTexts();
    expect(cards[0]!.replace(/\s+/g, ' ').trim()).toBe('6 running containers');
    expect(cards[5]!.replace(/\s+/g, ' ').trim()).toBe('4 instances');
    await page.close();
  });
});
