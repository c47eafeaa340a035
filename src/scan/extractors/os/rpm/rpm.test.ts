import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireOrSkip } from '../../../../test-support/require-or-skip.js';
import { expectedRows, fixture } from '../../../test-support/expected.js';
import { readRpmDb } from './rpm.js';

describe('os/rpm', () => {
  it('NDB (SLE 15 BCI) matches EXPECTED/go-rpmdb-sle15-bci.tsv', async () => {
    const got = await readRpmDb(fixture('rpm/go-rpmdb-sle15-bci-Packages.db.ndb'), 'Packages.db');
    const want = expectedRows('go-rpmdb-sle15-bci.tsv');
    expect(want).toHaveLength(35);
    expect(
      got.map((h) => [
        h.name,
        h.epoch === undefined ? '' : String(h.epoch),
        h.version,
        h.release,
        h.arch,
        h.sourceRpm,
        h.license,
        h.vendor,
        h.sigMd5,
      ]),
    ).toEqual(
      want.map((w) => [
        w.Name,
        w.Epoch,
        w.Version,
        w.Release,
        w.Arch,
        w.SourceRpm,
        w.License,
        w.Vendor,
        w.SigMD5,
      ]),
    );
  });

  it('Berkeley DB (RHEL 8 libuuid) gives libuuid 2.32.1-42.el8_8 from util-linux', async () => {
    const got = await readRpmDb(fixture('rpm/go-rpmdb-libuuid-Packages.bdb'), 'Packages');
    expect(got).toEqual([
      expect.objectContaining({
        name: 'libuuid',
        version: '2.32.1',
        release: '42.el8_8',
        epoch: undefined,
        arch: 'x86_64',
        sourceRpm: 'util-linux-2.32.1-42.el8_8.src.rpm',
        license: 'BSD',
        vendor: 'Red Hat, Inc.',
      }),
    ]);
  });

  it('Berkeley DB with an epoch (osv-scalibr custom_rpm)', async () => {
    const got = await readRpmDb(fixture('rpm/osv-scalibr-Packages_epoch.bdb'), 'Packages');
    expect(got).toEqual([
      expect.objectContaining({
        name: 'hello',
        epoch: 1,
        version: '0.0.1',
        release: 'rls',
        arch: 'x86_64',
        sourceRpm: 'hello-0.0.1-rls.src.rpm',
        license: 'GPL',
      }),
    ]);
  });

  it('Berkeley DB (UBI 7) and SQLite (Fedora 36) each hold exactly tzdata', async () => {
    expect(
      (await readRpmDb(fixture('rpm/preflight-ubi7-tzdata-Packages.bdb'), 'Packages')).map((h) => h.name),
    ).toEqual(['tzdata']);
    expect(
      (await readRpmDb(fixture('rpm/preflight-fedora36-tzdata-rpmdb.sqlite'), 'rpmdb.sqlite')).map(
        (h) => h.name,
      ),
    ).toEqual(['tzdata']);
  });

  it('a SQLite file that is not an rpmdb is a clear error', async () => {
    await expect(
      readRpmDb(fixture('rpm/preflight-sqlite-fail-list-pkg-rpmdb.sqlite'), 'rpmdb.sqlite'),
    ).rejects.toThrow(/rpmdb.sqlite: not a readable rpm SQLite database/);
  });

  it('truncated databases are clear errors, not crashes', async () => {
    const ndb = fixture('rpm/go-rpmdb-sle15-bci-Packages.db.ndb');
    await expect(readRpmDb(ndb.subarray(0, 9000), 'Packages.db')).rejects.toThrow(/Packages.db: /);
    const bdb = fixture('rpm/go-rpmdb-libuuid-Packages.bdb');
    await expect(readRpmDb(bdb.subarray(0, 8192), 'Packages')).rejects.toThrow(/Packages: /);
    await expect(readRpmDb(Buffer.from('garbage'.repeat(100)), 'Packages')).rejects.toThrow(
      /not an rpm database/,
    );
  });

  it('a SQLite rpmdb made by this machine’s rpm (rpmbuild + rpm -i --justdb) matches rpm -qa', async (ctx) => {
    let rpm: string;
    try {
      // `which` fails unless both are on PATH; its first line is rpm's path.
      rpm = execFileSync('which', ['rpm', 'rpmbuild'], { encoding: 'utf8' }).split('\n')[0]!.trim();
    } catch {
      requireOrSkip(false, 'rpm and rpmbuild (Debian package rpm)', 'not on PATH');
      return ctx.skip('rpm or rpmbuild is not on PATH');
    }
    const dir = mkdtempSync(join(tmpdir(), 'runsight-rpmdb-'));
    const sqlite = ['--define', '_db_backend sqlite'];
    try {
      const spec = fileURLToPath(
        new URL('../../../../../testdata/scan/rpm/runsight-hello.spec', import.meta.url),
      );
      execFileSync('rpmbuild', ['--define', `_topdir ${dir}/top`, '-bb', spec], { stdio: 'ignore' });
      execFileSync(rpm, ['--initdb', '--dbpath', `${dir}/db`, ...sqlite]);
      const pkg = join(dir, 'top/RPMS/noarch/runsight-hello-1.2.3-4.noarch.rpm');
      execFileSync(rpm, ['-i', '--justdb', '--nodeps', '--dbpath', `${dir}/db`, ...sqlite, pkg], {
        stdio: 'ignore',
      });
      const qa = execFileSync(
        rpm,
        ['-qa', '--dbpath', `${dir}/db`, '--qf', '%{NAME} %{EPOCH} %{VERSION}-%{RELEASE} %{SOURCERPM}\\n'],
        {
          encoding: 'utf8',
        },
      );
      const got = await readRpmDb(readFileSync(join(dir, 'db/rpmdb.sqlite')), 'rpmdb.sqlite');
      expect(got.map((h) => `${h.name} ${h.epoch} ${h.version}-${h.release} ${h.sourceRpm}\n`).join('')).toBe(
        qa,
      );
      expect(qa).toBe('runsight-hello 2 1.2.3-4 runsight-hello-1.2.3-4.src.rpm\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
