import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../../../../test-support/require-or-skip.js';
import { buildArtifacts } from '../../../test-support/artifacts.js';
import { extractFile } from '../../../test-support/expected.js';
import { javaExtractor } from './java.js';

describe('lang/java', () => {
  let dir: string;
  beforeAll(() => {
    dir = buildArtifacts();
  });
  const ids = (pkgs: { name: string; version: string; subPath?: string | undefined }[]) =>
    pkgs.map((p) => `${p.name}@${p.version}${p.subPath ? ` in ${p.subPath}` : ''}`);

  it('reads pom.properties', async () => {
    const got = await extractFile(
      javaExtractor,
      'opt/lib/greet-lib-2.4.1.jar',
      readFileSync(join(dir, 'greet-lib-2.4.1.jar')),
    );
    expect(ids(got)).toEqual(['org.example:greet-lib@2.4.1']);
  });

  it('falls back to MANIFEST.MF', async () => {
    const got = await extractFile(
      javaExtractor,
      'opt/lib/thing-1.0.7.jar',
      readFileSync(join(dir, 'thing-1.0.7.jar')),
    );
    expect(ids(got)).toEqual(['org.example:thing@1.0.7']);
  });

  it('recurses into nested jars of a fat jar and a war', async () => {
    const fat = await extractFile(javaExtractor, 'app/app.jar', readFileSync(join(dir, 'app.jar')));
    expect(ids(fat).sort()).toEqual(
      [
        'org.example:app@1.0.0',
        'org.example:greet-lib@2.4.1 in BOOT-INF/lib/greet-lib-2.4.1.jar',
        'org.example:thing@1.0.7 in BOOT-INF/lib/thing-1.0.7.jar',
      ].sort(),
    );
    const war = await extractFile(javaExtractor, 'srv/shop.war', readFileSync(join(dir, 'shop.war')));
    expect(ids(war)).toEqual(['org.example:greet-lib@2.4.1 in WEB-INF/lib/greet-lib-2.4.1.jar']);
  });

  it('a file that is not a zip is a clear error', async () => {
    await expect(extractFile(javaExtractor, 'x.jar', Buffer.from('not a zip at all'))).rejects.toThrow(
      /x.jar: not a readable Java archive/,
    );
  });

  it("Debian's maven-repo jars: every pom.properties Python's zipfile finds is reported", async (ctx) => {
    const root = '/usr/share/maven-repo';
    let jars: string[];
    try {
      jars = (readdirSync(root, { recursive: true }) as string[]).filter(
        (p) => p.endsWith('.jar') && !p.includes('/debian/') && statSync(join(root, p)).isFile(),
      );
    } catch (err) {
      requireOrSkip(false, `${root} (Debian's Java library packages, e.g. maven)`, (err as Error).message);
      return ctx.skip(`${root} is absent`);
    }
    try {
      execFileSync('python3', ['-c', 'import zipfile'], { stdio: 'ignore' });
    } catch (err) {
      requireOrSkip(false, 'python3', (err as Error).message);
      return ctx.skip('python3 is not on PATH');
    }
    // Python's zipfile (an independent zip reader) says which jars carry their own
    // META-INF/maven/<group>/<artifact>/pom.properties, with the version it states.
    const script = [
      'import sys,zipfile',
      'for p in sys.argv[1:]:',
      '  z=zipfile.ZipFile(p)',
      '  for n in z.namelist():',
      '    if n.startswith("META-INF/maven/") and n.endswith("/pom.properties"):',
      '      kv=dict(l.split("=",1) for l in z.read(n).decode().splitlines() if "=" in l and not l.startswith("#"))',
      '      print(p+"\\t"+kv.get("groupId","")+":"+kv.get("artifactId","")+"@"+kv.get("version",""))',
    ].join('\n');
    const listed = execFileSync('python3', ['-c', script, ...jars.slice(0, 60).map((j) => join(root, j))], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t') as [string, string]);
    const withPom = new Set(listed.map(([p]) => p));
    let checked = 0;
    for (const rel of jars.slice(0, 60).filter((j) => withPom.has(join(root, j)))) {
      const got = await extractFile(
        javaExtractor,
        `usr/share/maven-repo/${rel}`,
        readFileSync(join(root, rel)),
      );
      const want = listed.filter(([p]) => p === join(root, rel)).map(([, id]) => id);
      expect(
        ids(got)
          .filter((i) => !i.includes(' in '))
          .sort(),
      ).toEqual(want.sort());
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });
});
