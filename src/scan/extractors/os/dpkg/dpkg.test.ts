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

  it('keeps Pre-Depends and Depends package names (alternatives with |) as meta.depends', async () => {
    const status = txtarFile(fixture('dpkg/trivy-ubuntu1804-valid.txtar').toString('utf8'), STATUS);
    const got = await extractFile(dpkgExtractor, STATUS, Buffer.from(status));
    const dep = (n: string) => got.find((p) => p.name === n)?.meta?.depends;
    // Written from the stanzas of the file: `Depends: passwd, debconf (>= 0.5) | debconf-2.0`.
    expect(dep('adduser')).toBe('passwd,debconf|debconf-2.0');
    expect(dep('passwd')).toBe('libaudit1,libc6,libpam0g,libselinux1,libsemanage1,libpam-modules');
    expect(dep('apt')).toBe(
      'adduser,gpgv|gpgv2|gpgv1,ubuntu-keyring,libapt-pkg5.0,libc6,libgcc1,libgnutls30,libseccomp2,libstdc++6',
    );
    // Pre-Depends first (`Pre-Depends: libc6 (>= 2.15)`), then Depends.
    expect(dep('bash')).toBe('libc6,libtinfo5,base-files,debianutils');
    // A package without either field depends on nothing: `''`, not absent.
    expect(dep('lsb-base')).toBe('');
    expect(got.every((p) => typeof p.meta?.depends === 'string')).toBe(true);
  });

  it('meta.depends drops arch qualifiers, restrictions and duplicate groups', async () => {
    const text = [
      'Package: x',
      'Status: install ok installed',
      'Version: 1',
      'Pre-Depends: libc6 (>= 2.34)',
      'Depends: perl:any, libc6 (>= 2.34), python3:amd64 [amd64] <!nocheck> | python3-minimal,',
      ' multi-line-dep (<< 3)',
      '',
    ].join('\n');
    const [p] = await extractFile(dpkgExtractor, STATUS, Buffer.from(text));
    expect(p!.meta).toEqual({ depends: 'libc6,perl,python3|python3-minimal,multi-line-dep' });
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
    // Every name in meta.depends is a word of the package's Pre-Depends/Depends as dpkg-query prints
    // them, and a package has meta.depends exactly when dpkg-query prints one of the fields.
    const rel = execFileSync(
      'dpkg-query',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query format fields, not JS placeholders.
      ['-W', '-f', '${Package}\t${db:Status-Abbrev}\t${Pre-Depends}\t${Depends}\n'],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    )
      .split('\n')
      .filter((l) => l.split('\t')[1]?.startsWith('ii'))
      .map((l) => l.split('\t'));
    const byName = new Map(rel.map((c) => [c[0]!, `${c[2]} ${c[3]}`.trim()]));
    let withDeps = 0;
    for (const p of got) {
      const field = byName.get(p.name);
      if (field === undefined) continue;
      const words = new Set(field.split(/[\s,|()]+/).map((w) => w.replace(/:\w+$/, '')));
      const names = (p.meta?.depends as string | undefined)?.split(/[,|]/).filter(Boolean) ?? [];
      expect(names.length > 0, p.name).toBe(field !== '');
      for (const n of names) expect(words.has(n), `${p.name} → ${n} in "${field}"`).toBe(true);
      if (names.length) withDeps++;
    }
    expect(withDeps).toBeGreaterThan(50);
  });
});
