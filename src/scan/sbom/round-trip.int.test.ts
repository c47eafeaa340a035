// Integration: SBOMs that round-trip. A two-layer image built with umoci (a Debian dpkg status with
// an epoch package, nested npm node_modules, a `go build` binary, jars with pom.properties and a
// fat jar, Python dist-info) is scanned through the CLI from its OCI layout with `--sbom cyclonedx`;
// the SBOM must be valid against the official CycloneDX 1.6 schema, and `scan sbom:` of it must give
// the same packages (ecosystem, name, version, purl) and the same findings, matched against real
// OSV records from testdata (Debian DLA, npm and Maven GHSAs).
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/test-support/run-cli.js';
import { probeOrSkip } from '../../test-support/require-or-skip.js';
import { buildArtifacts } from '../test-support/artifacts.js';
import { cycloneDxSchemaErrors } from '../test-support/cyclonedx-schema.js';
import { fixture } from '../test-support/expected.js';
import { umociImage } from '../test-support/umoci-image.js';

const OSV = new URL('../../../testdata/advisories/osv/osv-scanner-offline-dbs/', import.meta.url);
const ADVISORIES = [
  'Debian/DLA-3051-1.json',
  'npm/GHSA-whgm-jr23-g3j9.json',
  'Maven/GHSA-3pxv-7cmr-fjr4.json',
];

// One stanza written here: tzdata at a version DLA-3051-1 lists as affected in Debian 9 (its
// `versions`), so that the Debian advisory has a package to match.
const TZDATA = [
  'Package: tzdata',
  'Status: install ok installed',
  'Architecture: all',
  'Version: 2019c-0+deb9u1',
  'Depends: debconf (>= 0.5) | debconf-2.0',
  'Description: time zone and daylight-saving time data',
  '',
].join('\n');

interface ScanJson {
  status: string;
  errors: { code: string; message: string }[];
  os: { ecosystem: string } | null;
  packages: { ecosystem: string; name: string; version: string; purl: string | null }[];
  findings: {
    id: string;
    package: { ecosystem: string; name: string; purl?: string };
    installedVersion: string;
    fixedVersion: string | null;
    severity: string;
    status: string;
  }[];
}

let work: string;
let dataDir: string;
let layout: string;
let ready = false;

function tree(name: string, files: Record<string, Buffer | string | { exec: string }>): string {
  const root = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    if (typeof content === 'object' && 'exec' in content) copyFileSync(content.exec, file);
    else writeFileSync(file, content);
  }
  return root;
}

/** A jar holding only Maven's pom.properties, built with the JDK's `jar`. */
function pomJar(group: string, artifact: string, version: string): Buffer {
  const dir = join(work, `jar-${artifact}`);
  const meta = join(dir, 'META-INF', 'maven', group, artifact);
  mkdirSync(meta, { recursive: true });
  writeFileSync(
    join(meta, 'pom.properties'),
    `groupId=${group}\nartifactId=${artifact}\nversion=${version}\n`,
  );
  const out = join(work, `${artifact}-${version}.jar`);
  execFileSync('jar', ['cf', out, '-C', dir, '.']);
  return readFileSync(out);
}

const tools = await probeOrSkip('umoci and the JDK', async () => {
  for (const t of ['umoci', 'jar']) execFileSync(t, ['--version'], { stdio: 'pipe' });
  return true;
});

beforeAll(async () => {
  if (!tools) return;
  work = mkdtempSync(join(tmpdir(), 'runsight-sbom-rt-'));
  dataDir = join(work, 'data');
  layout = join(work, 'layout');
  const art = buildArtifacts();
  const status = [
    fixture('dpkg/osv-scalibr-valid.status').toString('utf8').trimEnd(),
    fixture('dpkg/osv-scalibr-transitional_dummy.status').toString('utf8').trimEnd(),
    TZDATA,
  ].join('\n\n');
  const base = tree('base', {
    'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 9 (stretch)"\nID=debian\nVERSION_ID="9"\n',
    'etc/debian_version': '9.13\n',
    'var/lib/dpkg/status': status,
    'srv/py/networkx-3.0.dist-info/METADATA': fixture('python/trivy-networkx-3.0.METADATA'),
  });
  const app = tree('app', {
    'srv/app/node_modules/ansi-html/package.json': '{"name":"ansi-html","version":"0.0.7"}',
    'srv/app/node_modules/debug/package.json': '{"name":"debug","version":"2.6.9"}',
    'srv/app/node_modules/debug/node_modules/ms/package.json': '{"name":"ms","version":"2.0.0"}',
    'srv/app/node_modules/@babel/core/package.json': '{"name":"@babel/core","version":"7.0.0"}',
    'opt/lib/app.jar': readFileSync(join(art, 'app.jar')),
    'opt/lib/log4j-core-2.14.1.jar': pomJar('org.apache.logging.log4j', 'log4j-core', '2.14.1'),
    'usr/local/bin/hello-go': { exec: join(art, 'hello-go') },
  });
  chmodSync(join(app, 'usr/local/bin/hello-go'), 0o755);
  await umociImage(layout, 'rt', [
    { insert: base, at: '/' },
    { insert: app, at: '/' },
  ]);
  const up = await runCli([
    '--data-dir',
    dataDir,
    'db',
    'update',
    ...ADVISORIES.flatMap((a) => ['--source', new URL(a, OSV).pathname]),
  ]);
  if (up.code !== 0) throw new Error(`db update exited ${up.code}: ${up.stderr}`);
  ready = true;
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function scan(...args: string[]): Promise<ScanJson> {
  const r = await runCli(['--format', 'json', '--data-dir', dataDir, 'scan', ...args]);
  if (r.code !== 0) throw new Error(`scan exited ${r.code}: ${r.stderr}`);
  return r.json<ScanJson>();
}

const pkgKey = (p: ScanJson['packages'][number]) => `${p.ecosystem}|${p.name}|${p.version}|${p.purl}`;
const findingKey = (f: ScanJson['findings'][number]) =>
  [
    f.id,
    f.package.ecosystem,
    f.package.name,
    f.package.purl,
    f.installedVersion,
    f.fixedVersion,
    f.severity,
    f.status,
  ].join('|');

describe.skipIf(!tools)('scan → CycloneDX → scan sbom: (umoci image from its OCI layout)', () => {
  it('gives the same packages and findings, through a schema-valid CycloneDX 1.6 document', async () => {
    expect(ready).toBe(true);
    const file = join(work, 'rt.cdx.json');
    const image = await scan(`oci:${layout}:rt`, '--sbom', 'cyclonedx', file);
    expect(image.status).toBe('complete');
    expect(image.os?.ecosystem).toBe('Debian:9');
    const bom = JSON.parse(readFileSync(file, 'utf8'));
    expect(await cycloneDxSchemaErrors(bom)).toBeNull();

    const fromSbom = await scan(`sbom:${file}`);
    expect(fromSbom.errors).toEqual([]); // nothing skipped
    expect(fromSbom.os?.ecosystem).toBe('Debian:9');
    expect(fromSbom.packages.map(pkgKey).sort()).toEqual(image.packages.map(pkgKey).sort());
    expect(fromSbom.findings.map(findingKey).sort()).toEqual(image.findings.map(findingKey).sort());

    // What the comparison covers: every ecosystem, an epoch, a `(devel)` Go version, a Maven group.
    const eco = new Set(image.packages.map((p) => p.ecosystem));
    expect([...eco].sort()).toEqual(['Debian:9', 'Go', 'Maven', 'PyPI', 'npm']);
    const by = (n: string) => fromSbom.packages.find((p) => p.name === n);
    expect(by('git-core')).toMatchObject({ version: '1:2.14.2-1' });
    expect(by('example.com/app')).toMatchObject({
      version: '(devel)',
      purl: 'pkg:golang/example.com/app@%28devel%29',
    });
    expect(by('org.apache.logging.log4j:log4j-core')?.purl).toBe(
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
    );
    expect(by('@babel/core')?.purl).toBe('pkg:npm/%40babel/core@7.0.0');
    // The findings come from each of the three advisories.
    expect(new Set(image.findings.map((f) => `${f.package.name} ${f.id}`))).toEqual(
      new Set([
        'tzdata DLA-3051-1',
        'ansi-html CVE-2021-23424',
        'org.apache.logging.log4j:log4j-core CVE-2026-34480',
      ]),
    );

    // The SBOM itself: Maven group and name split; npm nesting as a dependency.
    const comp = (name: string) => bom.components.find((c: { name: string }) => c.name === name);
    expect(comp('log4j-core')).toMatchObject({ group: 'org.apache.logging.log4j', name: 'log4j-core' });
    expect(comp('core')).toMatchObject({ group: '@babel', name: 'core' });
    const deps = new Map<string, string[]>(
      bom.dependencies.map((d: { ref: string; dependsOn: string[] }) => [d.ref, d.dependsOn]),
    );
    expect(deps.get(comp('debug')['bom-ref'])).toEqual([comp('ms')['bom-ref']]);
    // dpkg Depends (adduser: "Depends: passwd"; passwd is not installed here, so no edge survives;
    // acl: "Depends: libacl1 (= 2.3.1-3), libc6 (>= 2.34)", libacl1 installed) and Go's main module.
    expect(deps.get(comp('adduser')['bom-ref'])).toEqual([]);
    expect(deps.get(comp('acl')['bom-ref'])).toEqual([comp('libacl1')['bom-ref']]);
    expect(deps.get(comp('example.com/app')['bom-ref'])).toEqual(
      expect.arrayContaining([comp('example.com/greet')['bom-ref'], comp('stdlib')['bom-ref']]),
    );
  });
});
