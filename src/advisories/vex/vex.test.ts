// VEX on the real examples: trivy's OpenVEX fixture and the CycloneDX CISA use cases.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/types.js';
import { TESTDATA } from '../test-support/expected-packages.js';
import { applyVex, productDigest } from './apply-vex.js';
import { parseVex } from './parse-vex.js';

const read = (p: string) => JSON.parse(readFileSync(join(TESTDATA, 'vex', p), 'utf8'));

function finding(id: string, purl: string, extra: Partial<Finding> = {}): Finding {
  return {
    id,
    aliases: [],
    package: { ecosystem: 'Go', name: purl.split('/').pop()!.split('@')[0]!, purl },
    installedVersion: purl.split('@')[1] ?? '',
    severity: 'HIGH',
    kev: false,
    status: 'affected',
    source: 'runsight',
    ...extra,
  };
}

describe('VEX', () => {
  it('parses trivy’s OpenVEX fixture into a product + subcomponent statement', () => {
    const st = parseVex(read('trivy-openvex.json'), 'trivy-openvex.json');
    expect(st).toEqual([
      expect.objectContaining({
        format: 'openvex',
        product: 'pkg:golang/github.com/testdata/testdata',
        subcomponent: 'pkg:golang/github.com/open-policy-agent/opa@v0.35.0',
        vulnerabilityId: 'CVE-2022-23628',
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impact: "The vulnerable code isn't called",
      }),
    ]);
  });

  it('sets not_affected on the matching subcomponent only, keeping the justification', () => {
    const st = parseVex(read('trivy-openvex.json'), 'trivy-openvex.json');
    const out = applyVex(
      [
        finding('CVE-2022-23628', 'pkg:golang/github.com/open-policy-agent/opa@v0.35.0'),
        finding('CVE-2022-23628', 'pkg:golang/github.com/open-policy-agent/opa@v0.36.0'),
        finding('CVE-2022-36085', 'pkg:golang/github.com/open-policy-agent/opa@v0.35.0'),
      ],
      st,
    );
    expect(out.map((f) => f.status)).toEqual(['not_affected', 'affected', 'affected']);
    expect(out[0]!.statusReason).toContain('vulnerable_code_not_in_execute_path');
    expect(out[0]!.statusReason).toContain("The vulnerable code isn't called");
  });

  it('reads every CycloneDX CISA use case and maps analysis states', () => {
    const base = join(TESTDATA, 'vex/cyclonedx-bom-examples/CISA-Use-Cases');
    const cases = readdirSync(base).filter((c) => c.startsWith('Case-'));
    const all = cases.flatMap((c) =>
      readdirSync(join(base, c))
        .filter((f) => f.startsWith('vex') && f.endsWith('.json'))
        .flatMap((f) => parseVex(JSON.parse(readFileSync(join(base, c, f), 'utf8')), `${c}/${f}`)),
    );
    expect(all.length).toBeGreaterThan(5);
    const na = all.find((s) => s.document === 'Case-1/vex-not_affected.json')!;
    expect(na).toMatchObject({
      format: 'cyclonedx',
      product: 'product-ABC',
      vulnerabilityId: 'CVE-2021-44228',
      status: 'not_affected',
      justification: 'code_not_present',
      action: 'will_not_fix',
    });
    expect(all.find((s) => s.document === 'Case-1/vex-fixed.json')!.status).toBe('fixed');
    expect(all.find((s) => s.document === 'Case-1/vex-affected.json')!.status).toBe('affected');
    expect(all.find((s) => s.document === 'Case-1/vex-under_investigation.json')!.status).toBe(
      'under_investigation',
    );
  });

  it('a product given as an image digest (or pkg:oci purl) applies to that image only', () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    const doc = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      statements: [
        {
          vulnerability: { name: 'CVE-2023-30861' },
          products: [{ '@id': `pkg:oci/app@sha256%3A${'c'.repeat(64)}` }],
          status: 'fixed',
        },
      ],
    };
    expect(productDigest(`pkg:oci/app@sha256%3A${'c'.repeat(64)}?repository_url=ghcr.io/x/app`)).toBe(digest);
    const st = parseVex(doc, 'inline');
    const f = finding('CVE-2023-30861', 'pkg:pypi/flask@2.0.0');
    expect(applyVex([f], st, { imageDigest: digest })[0]!.status).toBe('fixed');
    expect(applyVex([f], st, { imageDigest: `sha256:${'d'.repeat(64)}` })[0]!.status).toBe('affected');
    // Matching through an alias: a statement naming the GHSA applies to the CVE finding.
    const byAlias = parseVex(
      { ...doc, statements: [{ ...doc.statements[0], vulnerability: { name: 'GHSA-m2qf-hxjv-5gpq' } }] },
      'x',
    );
    expect(
      applyVex([{ ...f, aliases: ['GHSA-m2qf-hxjv-5gpq'] }], byAlias, { imageDigest: digest })[0]!.status,
    ).toBe('fixed');
  });
});
