import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectedRows, extractFile, fixture, txtarFile } from '../../../test-support/expected.js';
import { dpkgExtractor } from './dpkg.js';

const STATUS = 'var/lib/dpkg/status';

describe('os/dpkg', () => {
  it('osv-scalibr valid status matches EXPECTED/osv-scalibr-dpkg-valid.tsv', async () => {
    const got = await extractFile(dpkgExtractor, STATUS, fixture('dpkg/osv-scalibr-valid.status'));
    const want = expectedRows('osv-scalibr-dpkg-valid.tsv');
    expect(got.map((p) => [p.name, p.version, p.arch])).toEqual(
      want.map((w) => [w.Name, w.Version, w.Architecture]),
    );
    for (const w of want) {
      const p = got.find((g) => g.name === w.Name)!;
      expect(p.sourceName).toBe(w.SourceName || w.Name);
      expect(p.sourceVersion).toBe(w.SourceVersion || w.Version);
    }
  });

  it('trivy Ubuntu 18.04 status matches EXPECTED/trivy-dpkg-valid.tsv (90 of 91 stanzas)', async () => {
    const status = txtarFile(fixture('dpkg/trivy-ubuntu1804-valid.txtar').toString('utf8'), STATUS);
    const got = await extractFile(dpkgExtractor, STATUS, Buffer.from(status));
    const full = (e: string, v: string, r: string) => `${e ? `${e}:` : ''}${v}${r ? `-${r}` : ''}`;
    const want = expectedRows('trivy-dpkg-valid.tsv').map((w) => ({
      name: w.Name!,
      version: full(w.Epoch!, w.Version!, w.Release!),
      sourceName: w.SrcName,
      sourceVersion: full(w.SrcEpoch!, w.SrcVersion!, w.SrcRelease!),
      arch: w.Arch,
    }));
    expect(want).toHaveLength(90);
    const key = (p: { name: string; version: string }) => `${p.name}@${p.version}`;
    expect(got.map(key).sort()).toEqual(want.map(key).sort());
    for (const w of want) {
      expect(got.find((g) => key(g) === key(w))).toMatchObject({
        sourceName: w.sourceName,
        sourceVersion: w.sourceVersion,
        arch: w.arch,
      });
    }
  });

  it('keeps installed states only', async () => {
    const got = await extractFile(dpkgExtractor, STATUS, fixture('dpkg/osv-scalibr-statusfield.status'));
    expect(got.map((p) => p.name)).toEqual([
      'wantinstall_installed',
      'wantdeinstall_installed',
      'wantpurge_installed',
    ]);
  });

  it('reads a transitional package with its epoch and source', async () => {
    const got = await extractFile(
      dpkgExtractor,
      STATUS,
      fixture('dpkg/osv-scalibr-transitional_dummy.status'),
    );
    expect(got).toEqual([
      expect.objectContaining({ name: 'git-core', version: '1:2.14.2-1', sourceName: 'git' }),
    ]);
  });

  it('reads distroless status.d files (no Status field means installed)', async () => {
    const got = await extractFile(
      dpkgExtractor,
      'var/lib/dpkg/status.d/foo',
      fixture('dpkg/osv-scalibr-status.d-foo'),
    );
    expect(got.map((p) => [p.name, p.version])).toEqual([['foo', '1.2.3']]);
    expect(
      dpkgExtractor.fileRequired({ path: 'var/lib/dpkg/status.d/foo.md5sums', mode: 0o644, size: 1 }),
    ).toBe(false);
  });

  it("this machine's /var/lib/dpkg/status matches dpkg-query -W", async () => {
    if (!existsSync('/var/lib/dpkg/status')) throw new Error('this test needs a Debian-family machine');
    const out = execFileSync(
      'dpkg-query',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format fields, not JS placeholders.
      ['-W', '-f', '${Package}\t${Version}\t${Status}\t${source:Package}\n'],
      {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      },
    );
    const want = out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'))
      .filter((c) => c[2]!.split(' ')[2] === 'installed')
      .map((c) => `${c[0]}@${c[1]} src=${c[3]}`)
      .sort();
    const got = await extractFile(dpkgExtractor, STATUS, readFileSync('/var/lib/dpkg/status'));
    expect(want.length).toBeGreaterThan(100);
    expect(got.map((p) => `${p.name}@${p.version} src=${p.sourceName}`).sort()).toEqual(want);
  });
});
