// Advisory import and matching against the real records in testdata/advisories, on PGlite and
// PostgreSQL. Expected results were derived by reading the advisories (see the comments).
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { getStoreStatus } from '../store/index.js';
import { createTestStore, storeKindsToTest, type TestStore } from '../store/test-support/stores.js';
import { AdvisoryFormatError } from './errors.js';
import { matchPackages } from './match/matcher.js';
import { scalibrApk318, TESTDATA, trivyApk } from './test-support/expected-packages.js';
import { updateAdvisories } from './update.js';

const kinds = await storeKindsToTest();
const tmp = mkdtempSync(join(tmpdir(), 'runsight-adv-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const OSV = join(TESTDATA, 'osv');
const SECDB = join(TESTDATA, 'alpine-secdb');

describe.each(kinds)('advisories on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    await updateAdvisories(store, { sources: [OSV, SECDB] });
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it('imports every OSV record and secdb entry, filed per source, with counts and age in db status', async () => {
    const status = await getStoreStatus(store);
    expect(status.counts).toBeDefined();
    const by = Object.fromEntries(status.advisories.sources.map((s) => [s.name, s]));
    // 112 AlmaLinux ALSA files; 62 PyPI records (pypa YAML + osv-scanner PyPI/GIT copies, deduplicated by id).
    expect(by['osv:AlmaLinux']?.records).toBe(112);
    expect(by['osv:PyPI']?.records).toBe(62);
    expect(by['osv:Alpine']?.records).toBe(2);
    // secdb v3.9: one advisory per CVE id named by main.yaml or community.yaml.
    const ids = new Set<string>();
    for (const repo of ['main', 'community']) {
      const doc = parseYaml(readFileSync(join(SECDB, `v3.9/${repo}.yaml`), 'utf8'), {
        schema: 'failsafe',
      }) as {
        packages: { pkg: { secfixes?: Record<string, string[]> } }[];
      };
      for (const { pkg } of doc.packages) {
        for (const [fixed, list] of Object.entries(pkg.secfixes ?? {})) {
          if (fixed !== '0') for (const e of list ?? []) ids.add(e.split(' ')[0]!);
        }
      }
    }
    expect(by['alpine-secdb:v3.9']?.records).toBe(ids.size);
    expect(by['alpine-secdb:v3.9']?.ageSeconds).toBeLessThan(600);
    const eco = Object.fromEntries(status.advisories.ecosystems.map((e) => [e.ecosystem, e]));
    expect(eco['Alpine:v3.18']?.advisories).toBe(1); // ALPINE-CVE-2025-26519
    expect(eco['Debian:9']?.advisories).toBe(4); // DLA-3008-1, -3012-1, -3022-1, -3051-1
    expect(eco['Debian:9']?.ageSeconds).toBeLessThan(600);
    expect(eco['Alpine:v3.18']?.lastModified).toBe('2026-07-08T04:32:24.548Z'); // ALPINE-CVE-2025-26519's modified
    expect(status.advisories.lastUpdated).not.toBeNull();
  });

  it('is incremental by modified: a second run writes nothing, a newer record is written', async () => {
    const again = await updateAdvisories(store, { sources: [OSV], rematch: false });
    for (const s of again.sources) expect(s.written, s.name).toBe(0);
    const dir = join(tmp, `newer-${kind}`);
    cpSync(join(OSV, 'osv-scanner-offline-dbs/Debian/DLA-3008-1.json'), join(dir, 'DLA-3008-1.json'), {
      recursive: true,
    });
    const rec = JSON.parse(readFileSync(join(dir, 'DLA-3008-1.json'), 'utf8'));
    rec.modified = '2030-01-01T00:00:00Z';
    writeFileSync(join(dir, 'DLA-3008-1.json'), JSON.stringify(rec));
    const newer = await updateAdvisories(store, { sources: [dir], rematch: false });
    expect(newer.sources).toEqual([
      expect.objectContaining({ name: 'osv:Debian', read: 1, written: 1, unchanged: 0 }),
    ]);
  });

  it('a malformed record imports nothing and names the file and field', async () => {
    const dir = join(tmp, `bad-${kind}`);
    const good = JSON.parse(readFileSync(join(OSV, 'osv.dev/GHSA-838r-hvwh-24h8.json'), 'utf8'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a-good.json'), JSON.stringify({ ...good, modified: '2031-01-01T00:00:00Z' }));
    writeFileSync(
      join(dir, 'b-bad.json'),
      JSON.stringify({
        id: 'BAD-1',
        affected: [{ package: { ecosystem: 'npm', name: 'x' }, ranges: [{ type: 'ECOSYSTEM', events: [] }] }],
      }),
    );
    const before = await store.db
      .selectFrom('advisories')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const err = await updateAdvisories(store, { sources: [dir] }).catch((e) => e);
    expect(err).toBeInstanceOf(AdvisoryFormatError);
    expect(err.message).toContain('b-bad.json');
    expect(err.message).toContain('affected.0.ranges.0.events');
    const after = await store.db
      .selectFrom('advisories')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    // The good file's newer version was not written either.
    const ghsa = await store.db
      .selectFrom('advisories')
      .select('modified')
      .where('id', '=', 'GHSA-838r-hvwh-24h8')
      .executeTakeFirstOrThrow();
    expect(ghsa.modified?.getUTCFullYear()).not.toBe(2031);
  });

  it('a bad EPSS line fails the file with its line number and stores nothing', async () => {
    const file = join(tmp, `epss-${kind}.csv`);
    writeFileSync(file, 'cve,epss,percentile\nCVE-2019-14697,0.1,0.5\nCVE-2019-1,abc,0.5\n');
    await expect(updateAdvisories(store, { sources: [file] })).rejects.toThrow(/epss-.*\.csv:3/);
    const n = await store.db
      .selectFrom('epss')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });

  it('imports an OSV zip as osv.dev publishes it', async () => {
    const zip = join(tmp, `Go-${kind}.zip`);
    const { execFileSync } = await import('node:child_process');
    execFileSync('zip', [
      '-j',
      '-q',
      zip,
      ...['GO-2022-0274.json', 'GO-2022-0493.json'].map((f) => join(OSV, 'osv-scanner-offline-dbs/Go', f)),
    ]);
    const r = await updateAdvisories(store, { sources: [zip], rematch: false });
    expect(r.sources).toEqual([expect.objectContaining({ name: 'osv:Go', read: 2 })]);
  });

  it('matches Alpine packages through their origin at the right release (secdb, trivy apk fixture)', async () => {
    // trivy's apk fixture is an old Alpine; matched as v3.9 it meets secdb v3.9 main.yaml:
    // musl: 1.1.15-r4 fixes CVE-2016-8859, 1.1.20-r5 fixes CVE-2019-14697 (installed 1.1.14-r10).
    const findings = await matchPackages(store, trivyApk('Alpine:v3.9'));
    const musl = findings
      .filter((f) => f.package.name === 'musl')
      .map((f) => [f.id, f.fixedVersion, f.status]);
    expect(musl).toEqual([
      ['CVE-2016-8859', '1.1.15-r4', 'affected'],
      ['CVE-2019-14697', '1.1.20-r5', 'affected'],
    ]);
    // musl-utils has origin musl: same CVEs through the origin package.
    expect(findings.filter((f) => f.package.name === 'musl-utils').map((f) => f.id)).toEqual([
      'CVE-2016-8859',
      'CVE-2019-14697',
    ]);
    // busybox 1.24.2-r9: v3.9 lists 1.27.2-r4 (CVE-2017-15873, -15874, -16544) and 1.29.3-r10 (CVE-2018-20679, CVE-2019-5747).
    expect(
      findings.filter((f) => f.package.name === 'busybox').map((f) => `${f.id}@${f.fixedVersion}`),
    ).toEqual([
      'CVE-2017-15873@1.27.2-r4',
      'CVE-2017-15874@1.27.2-r4',
      'CVE-2017-16544@1.27.2-r4',
      'CVE-2018-20679@1.29.3-r10',
      'CVE-2019-5747@1.29.3-r10',
    ]);
    // The release matters: the same packages on Alpine v3.18 meet no secdb entry (none imported for 3.18).
    const on318 = await matchPackages(store, trivyApk('Alpine:v3.18'));
    expect(on318.filter((f) => f.aliases.some((a) => a.startsWith('alpine-secdb')))).toEqual([]);
    expect(on318.map((f) => f.id)).not.toContain('CVE-2016-8859');
  });

  it('matches OSV Alpine records: musl on 3.18 is affected by CVE-2025-26519 (fixed 1.2.4-r3, CVSS 3.1 7.0 HIGH)', async () => {
    const findings = await matchPackages(store, scalibrApk318());
    expect(
      findings.map((f) => [f.package.name, f.id, f.installedVersion, f.fixedVersion, f.severity]),
    ).toEqual([
      ['musl', 'CVE-2025-26519', '1.2.4-r0', '1.2.4-r3', 'HIGH'],
      ['musl-utils', 'CVE-2025-26519', '1.2.4-r0', '1.2.4-r3', 'HIGH'],
    ]);
    expect(findings[0]!.aliases).toEqual(['ALPINE-CVE-2025-26519']);
    expect(findings[0]!.cvss).toEqual({
      version: '3.1',
      vector: 'CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:H/I:H/A:H',
      score: 7,
    });
  });

  it('matches Debian binaries through the source package, per release (DLA-3008-1)', async () => {
    // DLA-3008-1: openssl (source) on Debian:9, fixed 1.1.0l-1~deb9u6; 1.1.0l-1~deb9u5 is listed affected.
    const libssl = {
      name: 'libssl1.1',
      version: '1.1.0l-1~deb9u5',
      sourceName: 'openssl',
      sourceVersion: '1.1.0l-1~deb9u5',
    };
    const d9 = await matchPackages(store, [{ ecosystem: 'Debian', ...libssl }], {
      osEcosystem: 'Debian:9',
    });
    expect(d9.map((f) => [f.id, f.package.name, f.fixedVersion, f.status])).toEqual([
      ['CVE-2022-1292', 'libssl1.1', '1.1.0l-1~deb9u6', 'affected'],
    ]);
    expect(d9[0]!.aliases).toEqual(['DEBIAN-CVE-2022-1292', 'DLA-3008-1']);
    expect(await matchPackages(store, [{ ecosystem: 'Debian:10', ...libssl }])).toEqual([]);
    const fixed = { ...libssl, version: '1.1.0l-1~deb9u6', sourceVersion: '1.1.0l-1~deb9u6' };
    expect(await matchPackages(store, [{ ecosystem: 'Debian:9', ...fixed }])).toEqual([]);
  });

  it('matches PyPI requirements (trivy repo fixture) with normalised names and merged aliases', async () => {
    const req = readFileSync(join(TESTDATA, 'pkgdb/requirements.txt'), 'utf8');
    const pkgs = req
      .split('\n')
      .filter((l) => l.includes('=='))
      .map((l) => ({ ecosystem: 'PyPI', name: l.split('==')[0]!, version: l.split('==')[1]! }));
    const findings = await matchPackages(store, pkgs);
    // PYSEC-2023-62 (Flask < 2.2.5, aliases CVE-2023-30861 and GHSA-m2qf-hxjv-5gpq): one finding under the CVE.
    const flask = findings.filter((f) => f.package.name === 'Flask');
    expect(flask.map((f) => [f.id, f.fixedVersion, f.aliases])).toEqual([
      ['CVE-2023-30861', '2.2.5', ['GHSA-m2qf-hxjv-5gpq', 'PYSEC-2023-62']],
    ]);
    // Werkzeug 0.11: every werkzeug record whose range contains 0.11 (PYSEC-2017-43 fixed 0.11.11, …).
    expect(
      findings.filter((f) => f.package.name === 'Werkzeug').map((f) => `${f.id}<${f.fixedVersion}`),
    ).toEqual([
      'CVE-2016-10516<0.11.11',
      'CVE-2019-14806<0.15.3',
      'CVE-2020-28724<0.11.6',
      'CVE-2022-29361<2.1.1',
      'CVE-2023-23934<2.2.3',
      'CVE-2023-25577<2.2.3',
      'CVE-2023-46136<2.3.8',
    ]);
  });

  it('an installed version that cannot be compared is shown as unknown with the reason', async () => {
    const findings = await matchPackages(store, [
      { ecosystem: 'Alpine:v3.18', name: 'musl', version: '1.2.4bc' },
    ]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ id: 'CVE-2025-26519', status: 'unknown', fixedVersion: undefined });
    expect(findings[0]!.statusReason).toMatch(/"1\.2\.4bc" is not a valid apk version/);
  });

  it('merges one CVE named by two sources (OSV ALPINE record + secdb JSON) and attaches KEV and EPSS', async () => {
    await updateAdvisories(store, {
      sources: [
        join(TESTDATA, 'derived/secdb-v3.18-main.json'),
        join(TESTDATA, 'derived/known_exploited_vulnerabilities.json'),
        join(TESTDATA, 'derived/epss_scores-test.csv'),
      ],
    });
    const musl = (await matchPackages(store, scalibrApk318())).filter((f) => f.package.name === 'musl');
    expect(musl).toHaveLength(1);
    expect(musl[0]!.aliases).toEqual(['ALPINE-CVE-2025-26519']);
    const old = await matchPackages(store, trivyApk('Alpine:v3.9'));
    const f = old.find((x) => x.id === 'CVE-2019-14697' && x.package.name === 'musl')!;
    expect(f.kev).toBe(true);
    expect(f.epss).toEqual({ score: 0.01234, percentile: 0.81234 });
    expect(old.find((x) => x.id === 'CVE-2016-8859')!.kev).toBe(false);
  });
});
