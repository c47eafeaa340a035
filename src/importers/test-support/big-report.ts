// Test and bench support: a Trivy report (SchemaVersion 2) of any size, written to disk, made of the
// real vulnerability and package entries of testdata/importers/trivy/*.golden (descriptions,
// references, CVSS maps, dates as Trivy writes them), each copy given its own CVE number and
// package version so every entry is a distinct finding. Indented as `trivy -f json` indents.
// The same for Grype JSON (the matches of testdata/importers/grype, indented by one space as
// `grype -o json` writes them; `source`, `distro`, `descriptor` after the matches) and for a
// CycloneDX BOM with vulnerabilities (the vulnerabilities of the CycloneDX goldens over components
// of their own, as `trivy -f cyclonedx --scanners vuln` writes them).
import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { TESTDATA } from './reports.js';

// biome-ignore lint/suspicious/noExplicitAny: raw report entries, copied as they are.
type Json = any;

function templates(): { vulns: Json[]; packages: Json[] } {
  const vulns: Json[] = [];
  const packages: Json[] = [];
  for (const f of readdirSync(`${TESTDATA}trivy`).filter((n) => n.endsWith('.json.golden'))) {
    const doc = JSON.parse(readFileSync(`${TESTDATA}trivy/${f}`, 'utf8'));
    for (const r of doc.Results ?? []) {
      vulns.push(...(r.Vulnerabilities ?? []));
      packages.push(...(r.Packages ?? []));
    }
  }
  return { vulns, packages };
}

export interface BigReport {
  bytes: number;
  vulnerabilities: number;
  packages: number;
  /** The repo digest the report names (the image it lands on). */
  digest: string;
}

/** Writes a Trivy report of at least `targetBytes` to `path`; one package per ten vulnerabilities. */
export async function writeBigTrivyReport(path: string, targetBytes: number): Promise<BigReport> {
  const { vulns, packages } = templates();
  const digest = `sha256:${'b1'.repeat(32)}`;
  const out = createWriteStream(path);
  let bytes = 0;
  const write = async (s: string) => {
    bytes += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  const indent = (s: string, pad: string) => s.replace(/\n/g, `\n${pad}`);
  await write(
    `{\n  "SchemaVersion": 2,\n  "CreatedAt": "2026-11-30T10:00:00Z",\n  "ArtifactName": "registry.example/big:1",\n  "ArtifactType": "container_image",\n  "Metadata": ${indent(
      JSON.stringify(
        {
          OS: { Family: 'debian', Name: '12.8' },
          ImageID: `sha256:${'c2'.repeat(32)}`,
          RepoTags: ['registry.example/big:1'],
          RepoDigests: [`registry.example/big@${digest}`],
        },
        null,
        2,
      ),
      '  ',
    )},\n  "Results": [\n    {\n      "Target": "registry.example/big:1 (debian 12.8)",\n      "Class": "os-pkgs",\n      "Type": "debian",\n      "Vulnerabilities": [\n`,
  );
  // Leave room for the packages (about a tenth of the vulnerabilities, a tenth of their size).
  const vulnBytes = targetBytes * 0.97;
  let v = 0;
  while (bytes < vulnBytes) {
    const t = vulns[v % vulns.length];
    const copy = {
      ...t,
      VulnerabilityID: `CVE-${2000 + (v % 26)}-${100000 + v}`,
      InstalledVersion: `${t.InstalledVersion}+g${Math.floor(v / vulns.length)}`,
    };
    await write(`${v ? ',\n' : ''}        ${indent(JSON.stringify(copy, null, 2), '        ')}`);
    v++;
  }
  await write('\n      ],\n      "Packages": [\n');
  const p = Math.ceil(v / 10);
  for (let i = 0; i < p; i++) {
    const t = packages[i % packages.length];
    const copy = { ...t, Version: `${t.Version}+g${Math.floor(i / packages.length)}` };
    await write(`${i ? ',\n' : ''}        ${indent(JSON.stringify(copy, null, 2), '        ')}`);
  }
  await write('\n      ]\n    }\n  ]\n}\n');
  out.end();
  await once(out, 'finish');
  return { bytes, vulnerabilities: v, packages: p, digest };
}

/** A file written in pieces; `bytes` so far. */
function openWriter(path: string) {
  const out = createWriteStream(path);
  const w = {
    bytes: 0,
    async write(s: string) {
      w.bytes += Buffer.byteLength(s);
      if (!out.write(s)) await once(out, 'drain');
    },
    async close() {
      out.end();
      await once(out, 'finish');
    },
  };
  return w;
}

const indentBy = (s: string, pad: string) => s.replace(/\n/g, `\n${pad}`);

/** Writes a Grype JSON report of at least `targetBytes` to `path`: one finding per match. */
export async function writeBigGrypeReport(path: string, targetBytes: number): Promise<BigReport> {
  const matches: Json[] = readdirSync(`${TESTDATA}grype`)
    .filter((n) => n.endsWith('.json'))
    .flatMap((f) => JSON.parse(readFileSync(`${TESTDATA}grype/${f}`, 'utf8')).matches);
  const digest = `sha256:${'b3'.repeat(32)}`;
  const w = openWriter(path);
  await w.write('{\n "matches": [\n');
  let v = 0;
  while (w.bytes < targetBytes) {
    const t = matches[v % matches.length];
    const copy = {
      ...t,
      vulnerability: { ...t.vulnerability, id: `CVE-${2000 + (v % 26)}-${100000 + v}` },
      relatedVulnerabilities: [],
      artifact: { ...t.artifact, version: `${t.artifact.version}+g${Math.floor(v / matches.length)}` },
    };
    await w.write(`${v ? ',\n' : ''}  ${indentBy(JSON.stringify(copy, null, 1), '  ')}`);
    v++;
  }
  const rest = {
    source: {
      type: 'image',
      target: {
        userInput: 'registry.example/big-grype:1',
        imageID: `sha256:${'c4'.repeat(32)}`,
        manifestDigest: digest,
        tags: ['registry.example/big-grype:1'],
        repoDigests: [`registry.example/big-grype@${digest}`],
        architecture: 'amd64',
        os: 'linux',
      },
    },
    distro: { name: 'redhat', version: '9.1', idLike: ['fedora'] },
    descriptor: { name: 'grype', version: '0.66.0', timestamp: '2026-11-30T10:00:00Z' },
  };
  const tail = JSON.stringify(rest, null, 1).slice(1); // the members after `matches`
  await w.write(`\n ],${tail}\n`);
  await w.close();
  return { bytes: w.bytes, vulnerabilities: v, packages: 0, digest };
}

/** Writes a CycloneDX 1.6 BOM of at least `targetBytes` to `path`: one component per ten
 * vulnerabilities, each vulnerability affecting one component (one finding each). */
export async function writeBigCycloneDxReport(path: string, targetBytes: number): Promise<BigReport> {
  const vulns: Json[] = [
    'cyclonedx-defectdojo/log4j.json',
    'cyclonedx-vex/case-3-vex.json',
    'trivy/npm-cyclonedx.json.golden',
  ].flatMap((f) => JSON.parse(readFileSync(TESTDATA + f, 'utf8')).vulnerabilities ?? []);
  const digest = `sha256:${'b5'.repeat(32)}`;
  // Components first, as Trivy writes them: their number is fixed by the target size (~10 KB of
  // vulnerabilities per component's worth of findings at ~2.5 KB a vulnerability).
  const avg = vulns.reduce((n, v) => n + JSON.stringify(v, null, 2).length, 0) / vulns.length;
  const count = Math.ceil(targetBytes / (avg + 30) / 10);
  const purl = (i: number) => `pkg:npm/big-lib-${i % 400}@1.${Math.floor(i / 400)}.0`;
  const w = openWriter(path);
  const metadata = {
    timestamp: '2026-11-30T10:00:00+00:00',
    tools: { components: [{ type: 'application', group: 'aquasecurity', name: 'trivy', version: '0.58.0' }] },
    component: {
      'bom-ref': 'image',
      type: 'container',
      name: 'registry.example/big-cdx:1',
      purl: `pkg:oci/big-cdx@${encodeURIComponent(digest)}?repository_url=registry.example/big-cdx`,
      properties: [{ name: 'aquasecurity:trivy:RepoDigest', value: `registry.example/big-cdx@${digest}` }],
    },
  };
  await w.write(
    `{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.6",\n  "version": 1,\n  "metadata": ${indentBy(JSON.stringify(metadata, null, 2), '  ')},\n  "components": [\n`,
  );
  for (let i = 0; i < count; i++) {
    const c = {
      'bom-ref': purl(i),
      type: 'library',
      name: `big-lib-${i % 400}`,
      version: `1.${Math.floor(i / 400)}.0`,
      purl: purl(i),
      properties: [{ name: 'aquasecurity:trivy:PkgType', value: 'npm' }],
    };
    await w.write(`${i ? ',\n' : ''}    ${indentBy(JSON.stringify(c, null, 2), '    ')}`);
  }
  await w.write('\n  ],\n  "vulnerabilities": [\n');
  let v = 0;
  while (w.bytes < targetBytes) {
    const t = vulns[v % vulns.length];
    const copy = {
      ...t,
      id: `CVE-${2000 + (v % 26)}-${100000 + v}`,
      references: [],
      affects: [{ ref: purl(v % count) }],
    };
    await w.write(`${v ? ',\n' : ''}    ${indentBy(JSON.stringify(copy, null, 2), '    ')}`);
    v++;
  }
  await w.write('\n  ]\n}\n');
  await w.close();
  return { bytes: w.bytes, vulnerabilities: v, packages: count, digest };
}

/** A trivy-operator list written: its size, resources, distinct images (each resource's findings
 * land on its image; every tenth resource runs an image an earlier one runs, so is merged). */
export interface BigOperatorList {
  bytes: number;
  resources: number;
  images: number;
  /** Findings per image (each resource reports `perResource` distinct ones). */
  perResource: number;
}

/** Writes `kubectl get vulnerabilityreports -o json` (or `-o yaml`) output of at least `targetBytes` to `path`:
 * VulnerabilityReports of `perResource` entries each (the entries of the DefectDojo trivy-operator
 * exports), members in kubectl's order (`items` before `kind`), indented as kubectl indents. */
export async function writeBigOperatorList(
  path: string,
  targetBytes: number,
  perResource = 300,
  as: 'json' | 'yaml' = 'json',
): Promise<BigOperatorList> {
  const vulns: Json[] = ['vulnerabilityreport_many.json', 'vulnerabilityreport_extended.json'].flatMap(
    (f) =>
      JSON.parse(readFileSync(`${TESTDATA}trivy-operator-defectdojo/${f}`, 'utf8')).report.vulnerabilities,
  );
  const w = openWriter(path);
  await w.write(as === 'json' ? '{\n    "apiVersion": "v1",\n    "items": [\n' : 'apiVersion: v1\nitems:\n');
  let n = 0;
  let images = 0;
  while (w.bytes < targetBytes) {
    // Every tenth resource is another workload of the image two before it.
    const img = n % 10 === 9 ? images - 2 : images++;
    const resource = {
      apiVersion: 'aquasecurity.github.io/v1alpha1',
      kind: 'VulnerabilityReport',
      metadata: {
        creationTimestamp: '2026-11-30T10:00:00Z',
        labels: {
          'trivy-operator.container.name': 'app',
          'trivy-operator.resource.kind': 'ReplicaSet',
          'trivy-operator.resource.name': `app-${n}`,
          'trivy-operator.resource.namespace': `team-${n % 20}`,
        },
        name: `replicaset-app-${n}-app`,
        namespace: `team-${n % 20}`,
      },
      report: {
        artifact: {
          digest: `sha256:${img.toString(16).padStart(64, '0')}`,
          repository: `big/img-${img}`,
          tag: '1',
        },
        os: { family: 'alpine', name: '3.17.2' },
        registry: { server: 'registry.example' },
        scanner: { name: 'Trivy', vendor: 'Aqua Security', version: '0.38.2' },
        updateTimestamp: '2026-11-30T10:00:00Z',
        vulnerabilities: Array.from({ length: perResource }, (_, v) => {
          const t = vulns[v % vulns.length];
          return {
            ...t,
            vulnerabilityID: `CVE-${2000 + (v % 26)}-${100000 + v}`,
            installedVersion: `${t.installedVersion}+g${Math.floor(v / vulns.length)}`,
          };
        }),
      },
    };
    await w.write(
      as === 'json'
        ? `${n ? ',\n' : ''}        ${indentBy(JSON.stringify(resource, null, 4), '        ')}`
        : stringify([resource], { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false }),
    );
    n++;
  }
  await w.write(
    as === 'json'
      ? '\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n'
      : 'kind: List\nmetadata:\n  resourceVersion: ""\n',
  );
  await w.close();
  return { bytes: w.bytes, resources: n, images, perResource };
}
