import { describe, expect, it } from 'vitest';
import { expectedRows, extractFile, fixture } from '../../../test-support/expected.js';
import { npmExtractor } from './npm.js';

const CASES: [string, string][] = [
  ['trivy-package-lock_v1.json', 'trivy-npm-npmV1Pkgs.tsv'],
  ['trivy-package-lock_v2.json', 'trivy-npm-npmV2Pkgs.tsv'],
  ['trivy-package-lock_v3.json', 'trivy-npm-npmV2Pkgs.tsv'],
  ['trivy-package-lock_v3_with_peer.json', 'trivy-npm-npmV3WithPeerDependenciesPkgs.tsv'],
  ['trivy-package-lock_v3_with-same-dev-and-non-dev.json', 'trivy-npm-npmV3WithSameDevAndNonDevPkgs.tsv'],
  ['trivy-package-lock_v3_with_workspace.json', 'trivy-npm-npmV3WithWorkspacePkgs.tsv'],
];

describe('lang/npm', () => {
  for (const [file, tsv] of CASES) {
    it(`${file} matches EXPECTED/${tsv}`, async () => {
      const got = await extractFile(npmExtractor, 'app/package-lock.json', fixture(`npm/${file}`));
      const want = expectedRows(tsv);
      const key = (n: string, v: string, dev: unknown) => `${n}@${v} dev=${dev}`;
      expect(got.map((p) => key(p.name, p.version, p.meta?.dev)).sort()).toEqual(
        want.map((w) => key(w.Name!, w.Version!, w.Dev)).sort(),
      );
    });
  }

  it('installed node_modules manifests give name and version (trivy repo fixture)', async () => {
    const names = ['jquery', 'promise', 'react', 'react-is', 'redux', 'z-lock'];
    const got = [];
    for (const n of names) {
      const data = fixture(`trivy-repo/npm/node_modules/${n}/package.json`);
      got.push(...(await extractFile(npmExtractor, `app/node_modules/${n}/package.json`, data)));
    }
    // The same versions trivy's golden report (reports/trivy/npm.json.golden) lists for these manifests.
    expect(got.map((p) => `${p.name}@${p.version}`)).toEqual(
      expect.arrayContaining([
        'jquery@3.3.9',
        'promise@8.0.3',
        'react@16.8.6',
        'react-is@16.8.6',
        'redux@4.0.1',
      ]),
    );
  });

  it('wants only package manifests directly under node_modules', () => {
    const want = (path: string) => npmExtractor.fileRequired({ path, mode: 0o644, size: 10 });
    expect(want('app/node_modules/@babel/core/package.json')).toBe(true);
    expect(want('app/node_modules/a/node_modules/b/package.json')).toBe(true);
    expect(want('app/node_modules/a/lib/package.json')).toBe(false);
    expect(want('app/package.json')).toBe(false);
    expect(want('app/package-lock.json')).toBe(true);
    expect(want('app/node_modules/.package-lock.json')).toBe(true);
  });

  it('a broken lockfile is a clear error', async () => {
    await expect(
      extractFile(npmExtractor, 'package-lock.json', Buffer.from('{"lockfileVersion": 2,')),
    ).rejects.toThrow(/package-lock.json: not JSON/);
  });
});
