import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireOrSkip } from '../../../../test-support/require-or-skip.js';
import { extractFile, fixture } from '../../../test-support/expected.js';
import { pythonExtractor } from './python.js';

// Name/Version headers as trivy's parse_test.go asserts them for each file.
const CASES: [string, string, string, string][] = [
  [
    'trivy-asyncssh-2.14.2.METADATA',
    'site-packages/asyncssh-2.14.2.dist-info/METADATA',
    'asyncssh',
    '2.14.2',
  ],
  ['trivy-distlib-0.3.1.METADATA', 'site-packages/distlib-0.3.1.dist-info/METADATA', 'distlib', '0.3.1'],
  [
    'trivy-iniconfig-2.0.0.METADATA',
    'site-packages/iniconfig-2.0.0.dist-info/METADATA',
    'iniconfig',
    '2.0.0',
  ],
  ['trivy-networkx-3.0.METADATA', 'site-packages/networkx-3.0.dist-info/METADATA', 'networkx', '3.0'],
  ['trivy-pyphen-0.14.0.METADATA', 'site-packages/pyphen-0.14.0.dist-info/METADATA', 'pyphen', '0.14.0'],
  ['trivy-zipp-3.12.1.METADATA', 'site-packages/zipp-3.12.1.dist-info/METADATA', 'zipp', '3.12.1'],
  ['trivy-simple-0.1.0.METADATA', 'site-packages/simple-0.1.0.dist-info/METADATA', 'simple', '0.1.0'],
  [
    'trivy-setuptools-51.3.3-py3.8.egg-info.PKG-INFO',
    'site-packages/setuptools-51.3.3-py3.8.egg-info/PKG-INFO',
    'setuptools',
    '51.3.3',
  ],
  ['trivy-unidecode-egg-info.PKG-INFO', 'site-packages/Unidecode.egg-info/PKG-INFO', 'Unidecode', '0.4.1'],
  ['trivy-distlib-0.3.1-py3.9.egg-info', 'site-packages/distlib-0.3.1-py3.9.egg-info', 'distlib', '0.3.1'],
];

describe('lang/python', () => {
  for (const [file, path, name, version] of CASES) {
    it(`${file} → ${name} ${version}`, async () => {
      const got = await extractFile(pythonExtractor, path, fixture(`python/${file}`));
      expect(got.map((p) => [p.name, p.version])).toEqual([[name, version]]);
    });
  }

  it('metadata without a version is a clear error', async () => {
    await expect(
      extractFile(pythonExtractor, 'x-1.dist-info/METADATA', Buffer.from('Metadata-Version: 2.1\nName: x\n')),
    ).rejects.toThrow(/without Name or Version/);
  });

  it("this machine's pip site-packages match pip list", async (ctx) => {
    const root = '/root/.pyenv/versions/3.13.0';
    const site = `${root}/lib/python3.13/site-packages`;
    if (!requireOrSkip(existsSync(site), `${site} (pyenv Python 3.13.0)`, 'no such directory')) {
      return ctx.skip(`${site} is absent`);
    }
    const listed = JSON.parse(
      execFileSync(`${root}/bin/python3`, ['-m', 'pip', 'list', '--format=json', '--path', site], {
        encoding: 'utf8',
      }),
    ) as { name: string; version: string }[];
    const got = [];
    for (const d of readdirSync(site).filter((n) => n.endsWith('.dist-info'))) {
      const path = `${site}/${d}/METADATA`.slice(1);
      got.push(...(await extractFile(pythonExtractor, path, readFileSync(`/${path}`))));
    }
    const norm = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
    expect(got.map((p) => `${norm(p.name)}@${p.version}`).sort()).toEqual(
      listed.map((p) => `${norm(p.name)}@${p.version}`).sort(),
    );
  });
});
