import { describe, expect, it } from 'vitest';
import { extractFile, fixture } from '../../../test-support/expected.js';
import { npmExtractor } from './npm.js';

describe('lang/npm', () => {
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
    // Lockfiles state what was declared, not what is installed: not read in images.
    expect(want('app/package-lock.json')).toBe(false);
    expect(want('app/node_modules/.package-lock.json')).toBe(false);
  });

  it('a broken manifest is a clear error; one without a name or version is no package', async () => {
    await expect(
      extractFile(npmExtractor, 'app/node_modules/x/package.json', Buffer.from('{"name": "x",')),
    ).rejects.toThrow(/x\/package.json: not JSON/);
    expect(
      await extractFile(npmExtractor, 'app/node_modules/x/package.json', Buffer.from('{"private": true}')),
    ).toEqual([]);
  });
});
