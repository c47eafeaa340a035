import { describe, expect, it } from 'vitest';
import { expectedRows, extractFile, fixture } from '../../../test-support/expected.js';
import { apkExtractor } from './apk.js';

const DB = 'lib/apk/db/installed';

describe('os/apk', () => {
  it('Alpine 3.18 installed DB matches EXPECTED/osv-scalibr-apk-installed.tsv', async () => {
    const got = await extractFile(apkExtractor, DB, fixture('apk/osv-scalibr-alpine-3.18-installed'));
    const want = expectedRows('osv-scalibr-apk-installed.tsv');
    expect(got.map((p) => [p.name, p.version, p.sourceName, p.arch, p.license, p.meta?.commit])).toEqual(
      want.map((w) => [w.Name, w.Version, w.OriginName, w.Architecture, w.License, w.Commit]),
    );
  });

  it('trivy apk DB matches EXPECTED/trivy-apk.tsv', async () => {
    const got = await extractFile(apkExtractor, DB, fixture('apk/trivy-apk-installed'));
    const want = expectedRows('trivy-apk.tsv');
    const key = (n: string, v: string, s: string, a: string) => `${n}@${v} ${s} ${a}`;
    expect(got.map((p) => key(p.name, p.version, p.sourceName!, p.arch!)).sort()).toEqual(
      want.map((w) => key(w.Name!, w.Version!, w.SrcName!, w.Arch!)).sort(),
    );
  });

  it('rejects a file that is not an apk database', async () => {
    await expect(extractFile(apkExtractor, DB, Buffer.from('this is not\nan apk db\n'))).rejects.toThrow(
      /apk installed database/,
    );
  });
});
