import { describe, expect, it } from 'vitest';
import { osvEcosystem } from '../../../../versioning/index.js';
import { foldLayers } from '../../../fold.js';
import type { FileRecord, LayerResult } from '../../../types.js';
import { detectOs, parseOsRelease } from './detect.js';

function view(files: Record<string, string>, extra: FileRecord[] = []) {
  const layer: LayerResult = {
    diffId: 'sha256:l',
    changes: { whiteouts: [], opaqueDirs: [], symlinks: [], hardlinks: [], replaced: [] },
    records: [
      ...Object.entries(files).map(([path, content]) => ({
        path,
        extractor: 'os/release',
        packages: [],
        facts: { content },
      })),
      ...extra,
    ],
    errors: [],
    bytes: 0,
    complete: true,
    cached: false,
  };
  return foldLayers([layer]);
}

describe('OS detection', () => {
  it.each([
    ['ID=debian\nVERSION_ID="12"\n', 'Debian:12'],
    ['ID=ubuntu\nVERSION_ID="22.04"\n', 'Ubuntu:22.04'],
    ['ID="almalinux"\nVERSION_ID="8.9"\n', 'AlmaLinux:8'],
    ['ID="rocky"\nVERSION_ID="9.3"\n', 'Rocky Linux:9'],
    ['ID="rhel"\nVERSION_ID="9.2"\n', 'Red Hat'],
    ['ID=mariner\nVERSION_ID="2.0"\n', 'Mariner:2.0'],
    ['ID="sles"\nVERSION_ID="15.3"\n', 'SUSE:Linux Enterprise Server 15 SP3'],
    ['ID=wolfi\nVERSION_ID=20230201\n', 'Wolfi'],
  ])('%j → %s', (osRelease, ecosystem) => {
    expect(detectOs(view({ 'etc/os-release': osRelease }))?.ecosystem).toBe(ecosystem);
  });

  it('Alpine takes its release from /etc/alpine-release', () => {
    const os = detectOs(
      view({ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.18.0\n', 'etc/alpine-release': '3.18.4\n' }),
    );
    expect(os).toMatchObject({ family: 'alpine', release: '3.18.4', ecosystem: 'Alpine:v3.18' });
  });

  it('falls back to the older release files', () => {
    expect(detectOs(view({ 'etc/debian_version': '11.7\n' }))?.ecosystem).toBe('Debian:11');
    expect(
      detectOs(view({ 'etc/redhat-release': 'AlmaLinux release 8.9 (Midnight Oncilla)\n' }))?.ecosystem,
    ).toBe('AlmaLinux:8');
    expect(detectOs(view({ 'etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n' }))).toMatchObject({
      family: 'centos',
      release: '7.9.2009',
    });
    expect(detectOs(view({ 'usr/lib/os-release': 'ID=debian\nVERSION_ID="12"\n' }))?.ecosystem).toBe(
      'Debian:12',
    );
    expect(detectOs(view({}))).toBeUndefined();
  });

  it('recognises distroless (dpkg status.d without a status file)', () => {
    const statusD = { path: 'var/lib/dpkg/status.d/base', extractor: 'os/dpkg', packages: [] };
    const os = detectOs(
      view({ 'etc/os-release': 'PRETTY_NAME="Distroless"\nID=debian\nVERSION_ID="12"\n' }, [statusD]),
    );
    expect(os).toMatchObject({ ecosystem: 'Debian:12', distroless: true });
    expect(detectOs(view({}, [statusD]))).toMatchObject({ family: 'debian', distroless: true });
  });

  it('parses os-release quoting', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nID=debian\n# comment\nX=\'a b\'\n')).toEqual({
      NAME: 'Debian GNU/Linux',
      ID: 'debian',
      X: 'a b',
    });
    expect(osvEcosystem('unknown', '1')).toBeUndefined();
  });
});
