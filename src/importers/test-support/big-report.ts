// Test and bench support: a Trivy report (SchemaVersion 2) of any size, written to disk, made of the
// real vulnerability and package entries of testdata/importers/trivy/*.golden (descriptions,
// references, CVSS maps, dates as Trivy writes them), each copy given its own CVE number and
// package version so every entry is a distinct finding. Indented as `trivy -f json` indents.
import { once } from 'node:events';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
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
