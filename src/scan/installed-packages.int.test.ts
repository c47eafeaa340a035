// Integration (issue 14): what the scanner reports is what the image holds. Images are built with
// umoci from packages installed by the real tools — npm installing two published tarballs from
// testdata/scan/npm, dpkg unpacking Debian's python3-requests .deb — then changed by later layers
// (a whiteout, an opaque directory), and scanned through the CLI against a real OSV record.
// Expected packages are the files' ground truth, written out by hand below.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/test-support/run-cli.js';
import { probeOrSkip } from '../test-support/require-or-skip.js';
import { SCAN_TESTDATA } from './test-support/artifacts.js';
import { umociImage } from './test-support/umoci-image.js';

const tools = await probeOrSkip('umoci, npm and dpkg', async () => {
  for (const t of ['umoci', 'npm', 'dpkg']) execFileSync(t, ['--version'], { stdio: 'ignore' });
  return true;
});

const PYSEC = new URL(
  '../../testdata/advisories/osv/osv-scanner-offline-dbs/PyPI/PYSEC-2023-74.json',
  import.meta.url,
).pathname;
const DEB = join(SCAN_TESTDATA, 'deb/python3-requests_2.28.1+dfsg-1_all.deb');
const EGG = 'usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO';
const PIP = 'usr/local/lib/python3.11/dist-packages/requests-2.28.1.dist-info/METADATA';

let work: string;
let layout: string;
let dataDir: string;

interface ScanJson {
  packages: {
    ecosystem: string;
    name: string;
    version: string;
    path: string | null;
    evidence: string | null;
  }[];
  findings: { id: string; package: { ecosystem: string; name: string } }[];
  stats: { osOwnedSkipped?: number };
}

async function scan(tag: string, ...flags: string[]): Promise<ScanJson> {
  const r = await runCli([
    '--data-dir',
    dataDir,
    'scan',
    `oci:${layout}:${tag}`,
    '--format',
    'json',
    ...flags,
  ]);
  expect(r.stderr).not.toMatch(/Error|at .*\.ts/);
  expect(r.code).toBe(0);
  return r.json<ScanJson>();
}

const lang = (j: ScanJson, ecosystem: string) =>
  j.packages
    .filter((p) => p.ecosystem === ecosystem)
    .map((p) => `${p.name}@${p.version} ${p.path}`)
    .sort();

beforeAll(async () => {
  if (!tools) return;
  work = mkdtempSync(join(tmpdir(), 'runsight-installed-'));
  layout = join(work, 'layout');
  dataDir = join(work, 'data');

  // npm: an application installed by npm from two published tarballs (debug depends on ms).
  const app = join(work, 'npm/app');
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), '{"name":"shop","version":"1.0.0","private":true}\n');
  execFileSync(
    'npm',
    [
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--cache',
      join(work, 'npm-cache'),
      join(SCAN_TESTDATA, 'npm/debug-4.3.4.tgz'),
      join(SCAN_TESTDATA, 'npm/ms-2.1.2.tgz'),
    ],
    { cwd: app, stdio: 'pipe' },
  );
  await umociImage(layout, 'npm', [{ insert: join(work, 'npm'), at: '/' }]);
  // A later layer deletes one installed package; another replaces node_modules by an empty one.
  await umociImage(layout, 'npm-whiteout', [{ whiteout: '/app/node_modules/ms' }], 'npm');
  const empty = join(work, 'empty');
  mkdirSync(empty);
  await umociImage(layout, 'npm-opaque', [{ opaque: empty, at: '/app/node_modules' }], 'npm');
  // Only the lockfiles (the source tree, never installed).
  const lockOnly = join(work, 'lock-only/app');
  mkdirSync(lockOnly, { recursive: true });
  cpSync(join(app, 'package.json'), join(lockOnly, 'package.json'));
  cpSync(join(app, 'package-lock.json'), join(lockOnly, 'package-lock.json'));
  await umociImage(layout, 'npm-lock-only', [{ insert: join(work, 'lock-only'), at: '/' }]);

  // Debian: dpkg itself unpacks python3-requests into a root (its postinst byte-compiles with the
  // python3 the root lacks, so the package is marked installed by hand, as --configure would).
  const root = join(work, 'deb');
  mkdirSync(join(root, 'var/lib/dpkg/info'), { recursive: true });
  mkdirSync(join(root, 'var/lib/dpkg/updates'), { recursive: true });
  writeFileSync(join(root, 'var/lib/dpkg/status'), '');
  writeFileSync(join(root, 'var/lib/dpkg/available'), '');
  execFileSync('dpkg', [`--root=${root}`, '--force-depends', '--force-not-root', '--unpack', DEB], {
    stdio: 'pipe',
  });
  const status = join(root, 'var/lib/dpkg/status');
  writeFileSync(status, readFileSync(status, 'utf8').replace('install ok unpacked', 'install ok installed'));
  mkdirSync(join(root, 'etc'), { recursive: true });
  writeFileSync(
    join(root, 'etc/os-release'),
    'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n',
  );
  await umociImage(layout, 'deb', [{ insert: root, at: '/' }]);
  // The same release installed by pip into /usr/local: not owned by dpkg, a real PyPI package.
  const pip = join(work, 'pip');
  mkdirSync(join(pip, PIP, '..'), { recursive: true });
  writeFileSync(join(pip, PIP), readFileSync(join(root, EGG)));
  await umociImage(layout, 'deb-pip', [{ insert: pip, at: '/' }], 'deb');

  const up = await runCli(['--data-dir', dataDir, 'db', 'update', '--source', PYSEC]);
  expect(up.code).toBe(0);
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe.skipIf(!tools)('installed packages, not declared ones', () => {
  it('npm: the installed node_modules manifests, with their evidence', async () => {
    const j = await scan('npm');
    expect(lang(j, 'npm')).toEqual([
      'debug@4.3.4 app/node_modules/debug/package.json',
      'ms@2.1.2 app/node_modules/ms/package.json',
    ]);
    expect(j.packages.filter((p) => p.ecosystem === 'npm').map((p) => p.evidence)).toEqual([
      'installed-metadata',
      'installed-metadata',
    ]);
  });

  it('npm: a package deleted by a later layer is gone, though both lockfiles still list it', async () => {
    const lock = readFileSync(join(work, 'npm/app/package-lock.json'), 'utf8');
    expect(lock).toContain('"node_modules/ms"');
    expect(lang(await scan('npm-whiteout'), 'npm')).toEqual([
      'debug@4.3.4 app/node_modules/debug/package.json',
    ]);
  });

  it('npm: an opaque node_modules hides every lower-layer package', async () => {
    expect(lang(await scan('npm-opaque'), 'npm')).toEqual([]);
  });

  it('npm: lockfiles without node_modules are declared dependencies, not installed packages', async () => {
    expect(lang(await scan('npm-lock-only'), 'npm')).toEqual([]);
  });

  it('Debian: python3-requests is one Debian package; its egg-info is not reported again as PyPI', async () => {
    const j = await scan('deb');
    expect(
      j.packages.filter((p) => p.ecosystem.startsWith('Debian')).map((p) => `${p.name}@${p.version}`),
    ).toEqual(['python3-requests@2.28.1+dfsg-1']);
    expect(lang(j, 'PyPI')).toEqual([]);
    expect(j.stats.osOwnedSkipped).toBe(1);
    // PYSEC-2023-74 (requests 2.3.0 ≤ v < 2.31.0) would have matched the dpkg-owned copy.
    expect(j.findings.filter((f) => f.package.ecosystem === 'PyPI')).toEqual([]);
  });

  it('Debian: a pip-installed copy beside it is a PyPI package and is matched', async () => {
    const j = await scan('deb-pip');
    expect(lang(j, 'PyPI')).toEqual([`requests@2.28.1 ${PIP}`]);
    expect(j.findings.filter((f) => f.package.ecosystem === 'PyPI').map((f) => f.id)).toEqual([
      'CVE-2023-32681',
    ]);
  });

  it('--include-os-owned reports the dpkg-owned copy as well', async () => {
    const j = await scan('deb', '--include-os-owned');
    expect(lang(j, 'PyPI')).toEqual([`requests@2.28.1 ${EGG}`]);
    expect(j.stats.osOwnedSkipped).toBe(0);
  });
});
