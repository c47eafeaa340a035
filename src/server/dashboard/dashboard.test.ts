// The dashboard in-process (Hono's app.request) over the small fleet of test-support/fleet.ts:
// every page answers 200 with a token and redirects to /login without one (the API keeps its 401),
// the login form's CSRF and session cookie, the scope (a viewer of c1 sees c1's numbers only), the
// CSP and static files, and that a hostile namespace name renders as text. Expected figures are
// worked by hand from the fleet: 5 containers, 1 distinct HIGH vulnerability (CVE-2025-26519),
// 3 instances (vm-1, vm-3, vm-4); cluster c1 holds vm-1 (vulnerable) and vm-2 (patched).
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../core/access.js';
import { silentLogger } from '../../core/logger.js';
import { openStore, type Store } from '../../store/index.js';
import { type App, createApp } from '../app.js';
import { authenticate, createAuthDeps, createToken, revokeToken } from '../auth/index.js';
import { authenticateAs } from '../test-support/authenticate.js';
import { buildFleet, CVE, type Fleet } from '../test-support/fleet.js';

const PRINCIPALS: Record<string, Principal> = {
  viewer: { subject: 'token:viewer', role: 'viewer', scope: {}, via: 'token' },
  operator: { subject: 'token:operator', role: 'operator', scope: {}, via: 'token' },
  'viewer-c1': { subject: 'token:viewer-c1', role: 'viewer', scope: { clusters: ['c1'] }, via: 'token' },
};

const fakeAuthenticate = authenticateAs(PRINCIPALS, 'the API token is unknown, revoked or expired');

let fleet: Fleet;
let store: Store;
let app: App;

beforeAll(async () => {
  fleet = await buildFleet();
  store = await openStore({ dataDir: fleet.dataDir });
  app = createApp({ store, config: {}, authenticate: fakeAuthenticate, logger: silentLogger });
}, 600_000);
afterAll(async () => {
  await store?.close();
  if (fleet) rmSync(fleet.dir, { recursive: true, force: true });
});

function get(path: string, token?: string, headers: Record<string, string> = {}) {
  return app.request(path, {
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}
async function page(path: string, token = 'viewer'): Promise<string> {
  const r = await get(path, token);
  const text = await r.text();
  expect(r.status, `${path}: ${text.slice(0, 500)}`).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/html/);
  return text;
}
/** The number shown in `<… data-figure="high">3<` inside the `data-figures="instances"` cards. */
function figure(htmlText: string, cards: 'distinct' | 'instances', name: string): number {
  const block = htmlText.split(`data-figures="${cards}"`)[1]?.split('</div></div>')[0] ?? '';
  const m = new RegExp(`data-figure="${name}">(\\d+)<`).exec(block);
  if (!m) throw new Error(`no ${cards} ${name} figure`);
  return Number(m[1]);
}
function totalContainers(htmlText: string): number {
  const m = /data-total="containers">(\d+)/.exec(htmlText);
  if (!m) throw new Error('no container total');
  return Number(m[1]);
}
interface Trend {
  kind: string;
  key: string;
  containers: number[];
  series: Record<'critical' | 'high' | 'medium' | 'low' | 'kev', number[]>;
}
/** The trend JSON blocks of a page, parsed. */
function trendBlocks(htmlText: string): Trend[] {
  return [
    ...htmlText.matchAll(/<script type="application\/json" class="trend-data" id="[^"]+">([^<]*)<\/script>/g),
  ].map((m) => JSON.parse(m[1]!) as Trend);
}
function cookiesOf(r: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of r.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const i = pair!.indexOf('=');
    out[pair!.slice(0, i)] = line;
  }
  return out;
}
const cookieValue = (setCookie: string | undefined) => /^[^=]+=([^;]*)/.exec(setCookie ?? '')?.[1] ?? '';
function form(fields: Record<string, string>, cookie: string) {
  const body = new URLSearchParams(fields).toString();
  return {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
      cookie,
    },
  };
}

describe('pages with a token', () => {
  it('every page answers 200 with the CSP, and no script inline or from elsewhere', async () => {
    const paths = [
      '/',
      '/posture',
      '/posture?by=cluster',
      '/posture?by=namespace&cluster=c1',
      '/posture?by=workload&cluster=c1&namespace=ns-a',
      `/posture?by=container&cluster=c1&namespace=ns-a&workload=${encodeURIComponent('c1/ns-a/Deployment/api')}`,
      '/posture?by=image&severity=high&kev=false&fixable=true',
      `/vulnerabilities/${CVE}`,
      `/containers/${encodeURIComponent('cmdb/vm-1')}`,
      `/images/${fleet.vulnerable}`,
      '/validate',
      '/sources',
      '/?trend=7d',
      '/overview/priorities',
    ];
    for (const path of paths) {
      const r = await get(path, 'viewer');
      const text = await r.text();
      expect(r.status, `${path}: ${text.slice(0, 300)}`).toBe(200);
      expect(r.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(r.headers.get('content-security-policy'), path).not.toContain('unsafe-inline');
      // Scripts come from /static; the only other script elements are JSON data (never executed).
      expect(text, path).not.toMatch(/<script(?![^>]*\ssrc="\/static\/)(?! type="application\/json")/i);
      expect(text, path).not.toMatch(/(src|href)="(https?:)?\/\//i);
      if (path !== '/sources' && path !== '/overview/priorities')
        expect(text, path).toContain('Freshness of the inputs');
    }
  });

  it('the overview and a drill-down carry the trend: JSON data, the chart scripts and a table', async () => {
    const text = await page('/');
    expect(text).toContain('<script src="/static/uPlot.iife.min.js" defer></script>');
    expect(text).toContain('<script src="/static/trend-chart.js" defer></script>');
    const data = trendBlocks(text);
    expect(data.map((d) => d.key)).toEqual(['fleet']);
    const fleetTrend = data[0]!;
    // The newest snapshot is the fleet now: 5 containers, 1 distinct HIGH vulnerability, no KEV.
    expect(fleetTrend.containers.at(-1)).toBe(5);
    expect(fleetTrend.series.high.at(-1)).toBe(1);
    expect(fleetTrend.series.critical.at(-1)).toBe(0);
    expect(fleetTrend.series.kev.at(-1)).toBe(0);
    expect(text).toContain('data-trend-table="trend-0"');
    const ns = trendBlocks(await page('/posture?by=workload&cluster=c1&namespace=ns-a'));
    expect(ns.map((d) => [d.kind, d.key, d.containers.at(-1)])).toEqual([['namespace', 'c1/ns-a', 1]]);
    expect((await get('/?trend=1y', 'viewer')).status).toBe(400);
  });

  it('the sources page lists the inventory source, the advisories, coverage and jobs', async () => {
    const text = await page('/sources');
    expect(text).toContain('<h1>Sources and jobs</h1>');
    expect(/data-source="cmdb"[\s\S]*?data-containers>(\d+)</.exec(text)?.[1]).toBe('5');
    expect(text).toMatch(/data-advisory="[^"]+"/);
    expect(text).toContain('data-gap="never-scanned"');
    expect(text).toContain('<h2 id="jobs-h">Jobs</h2>');
  });

  it('the overview shows the fleet figures worked by hand', async () => {
    const text = await page('/');
    expect(totalContainers(text)).toBe(5);
    expect(figure(text, 'distinct', 'high')).toBe(1);
    expect(figure(text, 'distinct', 'total')).toBe(1);
    expect(figure(text, 'instances', 'high')).toBe(3);
    expect(figure(text, 'instances', 'critical')).toBe(0);
    // The prioritised list arrives after first paint (web/fragments.js), from its own page.
    expect(text).toContain('data-fragment="/overview/priorities"');
    expect(text).toContain('<script src="/static/fragments.js" defer></script>');
    expect(text).toContain('href="/overview/priorities"');
    expect(text).not.toContain(`href="/vulnerabilities/${CVE}"`);
  });

  it("the prioritised list: a page of its own, or only its section for the overview, in the caller's scope", async () => {
    const whole = await page('/overview/priorities');
    expect(whole).toMatch(/^<!doctype html>/);
    const rowOf = (text: string) =>
      [
        ...text.matchAll(
          /<tr><td><a href="\/vulnerabilities\/([^"]+)">[^<]*<\/a><\/td>(?:<td[^>]*>[^<]*<\/td>){4}<td class="num">(\d+)<\/td>/g,
        ),
      ].map((m) => [decodeURIComponent(m[1]!), Number(m[2])]);
    expect(rowOf(whole)).toEqual([[CVE, 3]]);
    const fragment = await get('/overview/priorities', 'viewer', { 'x-runsight-fragment': '1' });
    expect(fragment.status).toBe(200);
    const text = await fragment.text();
    expect(text).toMatch(/^<section aria-labelledby="prio-h" id="priorities">/);
    expect(text).not.toContain('<html');
    expect(rowOf(text)).toEqual([[CVE, 3]]);
    const c1 = await get('/overview/priorities', 'viewer-c1', { 'x-runsight-fragment': '1' });
    expect(rowOf(await c1.text())).toEqual([[CVE, 1]]);
    expect((await get('/overview/priorities', 'nope', { 'x-runsight-fragment': '1' })).status).not.toBe(200);
  });

  it('drills down cluster → namespace → workload → container', async () => {
    const clusters = await page('/posture?by=cluster&severity=high');
    const toC1 = '/posture?by=namespace&amp;severity=high&amp;cluster=c1';
    expect(clusters).toContain(`href="${toC1}"`);
    const namespaces = await page(toC1.replaceAll('&amp;', '&'));
    const toNsA = '/posture?by=workload&amp;severity=high&amp;cluster=c1&amp;namespace=ns-a';
    expect(namespaces).toContain(`href="${toNsA}"`);
    const workloads = await page(toNsA.replaceAll('&amp;', '&'));
    const toApi =
      '/posture?by=container&amp;severity=high&amp;cluster=c1&amp;namespace=ns-a&amp;workload=c1%2Fns-a%2FDeployment%2Fapi';
    expect(workloads).toContain(`href="${toApi}"`);
    const containers = await page(toApi.replaceAll('&amp;', '&'));
    expect(containers).toContain('href="/containers/cmdb%2Fvm-1"');
    expect(containers).not.toContain('cmdb%2Fvm-3'); // c2's api container is not in c1
    const container = await page('/containers/cmdb%2Fvm-1');
    expect(container).toContain(`/vulnerabilities/${CVE}`);
  });

  it('the vulnerability page lists exactly the containers vuln where names', async () => {
    const text = await page(`/vulnerabilities/${CVE}`);
    const listed = [...text.matchAll(/data-container="([^"]+)"/g)].map((m) => m[1]).sort();
    expect(listed).toEqual(['cmdb/vm-1', 'cmdb/vm-3', 'cmdb/vm-4']);
  });

  it('the vulnerability page lists its containers a page at a time, the heading counting all', async () => {
    const first = await page(`/vulnerabilities/${CVE}?limit=2`);
    const listed = (t: string) => [...t.matchAll(/data-container="([^"]+)"/g)].map((m) => m[1]);
    expect(listed(first)).toHaveLength(2);
    expect(first).toContain('Where it runs: 3 running containers');
    const next = /href="([^"]+)" rel="next"/.exec(first)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toMatch(new RegExp(`^/vulnerabilities/${CVE}\\?limit=2&after=`));
    const second = await page(next!);
    expect(second).not.toContain('rel="next"');
    expect([...listed(first), ...listed(second)].sort()).toEqual(['cmdb/vm-1', 'cmdb/vm-3', 'cmdb/vm-4']);
    expect((await get(`/vulnerabilities/${CVE}?limit=0`, 'viewer')).status).toBe(400);
    expect((await get(`/vulnerabilities/${CVE}?after=bm9wZQ`, 'viewer')).status).toBe(400);
  });

  it('answers 404 for something unknown and 400 for a bad filter, as HTML', async () => {
    expect((await get('/vulnerabilities/CVE-1999-0000', 'viewer')).status).toBe(404);
    expect((await get('/containers/nope', 'viewer')).status).toBe(404);
    const bad = await get('/posture?by=planet', 'viewer');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('by must be one of');
  });

  it('the validation page runs the checklist for the chosen image, vulnerability and fixed image', async () => {
    // Empty: says what to choose and what to run first.
    const empty = await page('/validate');
    expect(empty).toContain('data-empty');
    expect(empty).toContain('runsight db update');
    const rowsOf = (text: string) =>
      [
        ...text.matchAll(/<tr data-check="([^"]+)" data-status="([^"]+)">.*?<td data-evidence>(.*?)<\/td>/g),
      ].map((m) => ({ name: m[1], status: m[2], evidence: m[3] }));
    const fromHtml = (s: string | undefined) =>
      (s ?? '')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&');
    for (const token of ['viewer', 'viewer-c1']) {
      const query = new URLSearchParams({
        image: fleet.vulnerable,
        vulnerability: CVE,
        fixedImage: fleet.patched,
      });
      const text = await page(`/validate?${query}`, token);
      expect(text).not.toContain('data-empty');
      expect(text).toContain(`value="${fleet.vulnerable}"`); // the choice stays in the form (shareable URL)
      const shown = rowsOf(text).map((r) => ({ ...r, evidence: fromHtml(r.evidence) }));
      const api = (await (await get(`/api/v1/validate?${query}`, token)).json()) as {
        checks: { name: string; status: string; evidence: string }[];
      };
      expect(shown).toEqual(api.checks.map(({ name, status, evidence }) => ({ name, status, evidence })));
      expect(shown).toHaveLength(6);
      // By hand: the vulnerable base carries the CVE (musl), the patched rebuild is scanned without it.
      const status = Object.fromEntries(shown.map((r) => [r.name, r.status]));
      expect(status['image-scanned-with-vulnerability'], token).toBe('pass');
      expect(status['fixed-image-scanned'], token).toBe('pass');
      expect(status['workload-in-inventory'], token).toBe('pass');
    }
    // A vulnerability id the fleet never saw: the first check fails and the hostile text is escaped.
    const hostile = '<script>alert(1)</script>';
    const bad = await page(
      `/validate?${new URLSearchParams({ image: fleet.vulnerable, vulnerability: hostile })}`,
    );
    expect(bad).not.toContain(hostile);
    expect(bad).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(rowsOf(bad).find((r) => r.name === 'image-scanned-with-vulnerability')?.status).toBe('fail');
  });
});

describe('scope', () => {
  it('a viewer of c1 sees only c1: its figures, rows and containers', async () => {
    const text = await page('/', 'viewer-c1');
    expect(totalContainers(text)).toBe(2);
    expect(figure(text, 'distinct', 'high')).toBe(1);
    expect(figure(text, 'instances', 'high')).toBe(1);
    const clusters = await page('/posture?by=cluster', 'viewer-c1');
    expect(clusters).toContain('cluster=c1"');
    expect(clusters).not.toContain('cluster=c2"');
    const where = await page(`/vulnerabilities/${CVE}`, 'viewer-c1');
    expect([...where.matchAll(/data-container="([^"]+)"/g)].map((m) => m[1])).toEqual(['cmdb/vm-1']);
    expect((await get('/containers/cmdb%2Fvm-3', 'viewer-c1')).status).toBe(404);
  });

  it('a viewer of c1 charts c1’s history (not the fleet’s) and counts only c1’s containers per source', async () => {
    const data = trendBlocks(await page('/', 'viewer-c1'));
    expect(data.map((d) => [d.kind, d.key, d.containers.at(-1)])).toEqual([['cluster', 'c1', 2]]);
    // At the top of /posture a scoped viewer gets no fleet chart; narrowed to c2 (outside), no data.
    expect(trendBlocks(await page('/posture?by=cluster', 'viewer-c1'))).toEqual([]);
    const c2 = await page('/posture?by=namespace&cluster=c2', 'viewer-c1');
    expect(trendBlocks(c2)).toEqual([]);
    expect(c2).toContain('No posture snapshots of cluster c2');
    const sources = await page('/sources', 'viewer-c1');
    expect(/data-source="cmdb"[\s\S]*?data-containers>(\d+)</.exec(sources)?.[1]).toBe('2');
    expect(sources).toContain('your running containers');
  });
});

describe('authentication', () => {
  it('without a token or session a page redirects to /login; the API keeps its 401', async () => {
    const r = await get('/posture?by=cluster');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Fposture%3Fby%3Dcluster');
    const api = await get('/api/v1/posture');
    expect(api.status).toBe(401);
    expect(await api.json()).toEqual({
      error: { code: 'unauthorized', message: 'the API token is unknown, revoked or expired' },
    });
  });

  it('a bad bearer token on a page is a 401 page, not a redirect', async () => {
    const r = await get('/', 'nope');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('logs in through the form (CSRF checked), keeps a session cookie, logs out', async () => {
    const formPage = await app.request('/login?next=%2Fvalidate');
    expect(formPage.status).toBe(200);
    expect(formPage.headers.get('content-security-policy')).toContain("script-src 'self'");
    const csrfCookie = cookiesOf(formPage).rs_login_csrf;
    expect(csrfCookie).toMatch(/HttpOnly/);
    expect(csrfCookie).toMatch(/SameSite=Strict/);
    const csrf = cookieValue(csrfCookie);
    const text = await formPage.text();
    expect(text).toContain(`name="csrf" value="${csrf}"`);
    const jar = `rs_login_csrf=${csrf}`;

    const forged = await app.request(
      '/login',
      form({ csrf: 'x'.repeat(43), token: 'viewer', next: '/' }, jar),
    );
    expect(forged.status).toBe(403);
    expect(cookiesOf(forged).rs_session).toBeUndefined();
    const wrong = await app.request('/login', form({ csrf, token: 'nope', next: '/' }, jar));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('the API token is unknown, revoked or expired');
    const offsite = await app.request(
      '/login',
      form({ csrf, token: 'viewer', next: '//evil.example/' }, jar),
    );
    expect(offsite.headers.get('location')).toBe('/');

    const ok = await app.request('/login', form({ csrf, token: 'viewer-c1', next: '/validate' }, jar));
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/validate');
    const sessionCookie = cookiesOf(ok).rs_session!;
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Strict/);
    expect(sessionCookie).not.toMatch(/Secure/); // plain HTTP here; Secure on TLS
    const session = `rs_session=${cookieValue(sessionCookie)}`;
    expect(cookieValue(sessionCookie)).not.toContain('viewer');

    const home = await app.request('/', { headers: { cookie: session } });
    const homeText = await home.text();
    expect(home.status).toBe(200);
    expect(totalContainers(homeText)).toBe(2); // the session holds viewer-c1's scope
    const logoutCsrf = /name="csrf" value="([^"]+)"/.exec(homeText)?.[1] ?? '';
    expect(logoutCsrf).not.toBe('');
    // The session cookie does not open the API: it answers to bearer tokens only.
    expect((await app.request('/api/v1/posture', { headers: { cookie: session } })).status).toBe(401);

    const noCsrf = await app.request('/logout', form({ csrf: 'wrong' }, session));
    expect(noCsrf.status).toBe(403);
    const out = await app.request('/logout', form({ csrf: logoutCsrf }, session));
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    const after = await app.request('/', { headers: { cookie: session } });
    expect(after.status).toBe(303);
  });
});

describe('sessions follow their token', () => {
  it('a session outlives a restart; revoking its API token ends it at the next page', async () => {
    // The real API token check (createAuthDeps) over the store, as `runsight serve` wires it.
    const auth = createAuthDeps(store, undefined);
    const deps = {
      store,
      config: {},
      authenticate: (h?: string) => authenticate(auth, h),
      logger: silentLogger,
    };
    const first = createApp(deps);
    const { token } = await createToken(store, { name: 'dash-temp', role: 'viewer' });
    const formPage = await first.request('/login');
    const csrf = cookieValue(cookiesOf(formPage).rs_login_csrf!);
    const ok = await first.request('/login', form({ csrf, token, next: '/' }, `rs_login_csrf=${csrf}`));
    expect(ok.status).toBe(303);
    const session = `rs_session=${cookieValue(cookiesOf(ok).rs_session!)}`;
    expect((await first.request('/', { headers: { cookie: session } })).status).toBe(200);
    const restarted = createApp(deps); // a new app over the same store: the session is still there
    expect((await restarted.request('/', { headers: { cookie: session } })).status).toBe(200);
    await revokeToken(store, 'dash-temp');
    const after = await restarted.request('/', { headers: { cookie: session } });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/login?next=%2F');
  });
});

describe('static files', () => {
  it('serves the stylesheet and vendored scripts with types and cache headers; nothing else', async () => {
    const css = await app.request('/static/dashboard.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('public, max-age=3600');
    const etag = css.headers.get('etag')!;
    expect(etag).toMatch(/^"/);
    expect((await app.request('/static/dashboard.css', { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );
    const htmx = await app.request('/static/htmx.min.js');
    expect(htmx.status).toBe(200);
    expect(htmx.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await htmx.text()).length).toBeGreaterThan(10_000);
    expect((await app.request('/static/uPlot.iife.min.js')).status).toBe(200);
    const chart = await app.request('/static/trend-chart.js');
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await chart.text()).toContain('script.trend-data');
    expect((await app.request('/static/..%2Fpackage.json')).status).toBe(404);
    expect((await app.request('/static/nope.js')).status).toBe(404);
  });
});

describe('escaping', () => {
  it('renders a namespace called <script>alert(1)</script> as text', async () => {
    const evil = '<script>alert(1)</script>';
    const batch = {
      type: 'delta',
      added: [
        {
          id: 'evil-1',
          cluster: 'c9',
          namespace: evil,
          container: '"><img src=x onerror=alert(2)>',
          image: 'registry.demo.local/library/alpine:3.18',
          digest: fleet.vulnerable,
          digestKind: 'repo',
          labels: {},
        },
      ],
      removed: [],
    };
    const r = await app.request('/api/v1/inventory/evil/batches', {
      method: 'POST',
      body: JSON.stringify(batch),
      headers: { 'content-type': 'application/json', authorization: 'Bearer operator' },
    });
    expect(r.status, await r.text()).toBe(201);
    const containers = await page('/posture?by=container&cluster=c9');
    expect(containers).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(containers).not.toContain('<img src=x');
    // The namespace's trend carries the name in its JSON block as data, never as markup.
    const nsPage = await page(`/posture?by=workload&cluster=c9&namespace=${encodeURIComponent(evil)}`);
    const blocks = trendBlocks(nsPage);
    expect(blocks.map((b) => b.key)).toEqual([`c9/${evil}`]);
    expect(nsPage).not.toContain(evil);
    for (const path of [
      '/posture?by=namespace',
      '/posture?by=workload&cluster=c9',
      `/vulnerabilities/${CVE}`,
    ]) {
      const text = await page(path);
      expect(text, path).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(text, path).not.toContain(evil);
      expect(text, path).not.toContain('<img src=x');
    }
  });
});
