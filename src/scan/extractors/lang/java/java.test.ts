import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireOrSkip } from '../../../../test-support/require-or-skip.js';
import { resolveInImage } from '../../../paths.js';
import { buildArtifacts, SCAN_TESTDATA } from '../../../test-support/artifacts.js';
import { extractFile } from '../../../test-support/expected.js';
import type { ExtractedPackage } from '../../../types.js';
import { javaExtractor } from './java.js';
import { parsePomXml } from './pom-xml.js';
import {
  coordinatesOfLinkTargets,
  mavenRepositoryCoordinates,
  withRepositoryCoordinates,
} from './repo-path.js';

const JAVA = join(SCAN_TESTDATA, 'java');

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
    expect(got[0]).toMatchObject({ namespace: 'org.example', evidence: 'pom.properties' });
  });

  it('a manifest that cannot confirm a group leaves only the file name: artifact id, no group, low', async () => {
    // Bundle-SymbolicName org.example.thing fits both org.example:thing and org.example.thing:thing.
    const got = await extractFile(
      javaExtractor,
      'opt/lib/thing-1.0.7.jar',
      readFileSync(join(dir, 'thing-1.0.7.jar')),
    );
    expect(got).toEqual([
      { kind: 'maven', name: 'thing', version: '1.0.7', subPath: undefined, evidence: 'file-name' },
    ]);
  });

  it('recurses into nested jars of a fat jar and a war', async () => {
    const fat = await extractFile(javaExtractor, 'app/app.jar', readFileSync(join(dir, 'app.jar')));
    expect(ids(fat).sort()).toEqual(
      [
        'org.example:app@1.0.0',
        'org.example:greet-lib@2.4.1 in BOOT-INF/lib/greet-lib-2.4.1.jar',
        'thing@1.0.7 in BOOT-INF/lib/thing-1.0.7.jar',
      ].sort(),
    );
    const war = await extractFile(javaExtractor, 'srv/shop.war', readFileSync(join(dir, 'shop.war')));
    expect(ids(war)).toEqual(['org.example:greet-lib@2.4.1 in WEB-INF/lib/greet-lib-2.4.1.jar']);
  });

  describe('Maven identity: most reliable evidence first', () => {
    let built: string;
    const jar = (name: string, ...args: string[]) => {
      execFileSync('jar', [...args.slice(0, 1), join(built, name), ...args.slice(1)], { stdio: 'pipe' });
      return readFileSync(join(built, name));
    };
    const one = async (path: string, data: Buffer): Promise<ExtractedPackage> => {
      const got = await extractFile(javaExtractor, path, data);
      expect(got).toHaveLength(1);
      return got[0]!;
    };
    const coords = (p: ExtractedPackage) => ({
      namespace: p.namespace,
      name: p.name,
      version: p.version,
      evidence: p.evidence,
    });
    beforeAll(() => {
      built = mkdtempSync(join(tmpdir(), 'runsight-java-identity-'));
    });
    afterAll(() => rmSync(built, { recursive: true, force: true }));

    // Debian libguice-java 4.2.3-2: usr/share/java/guice-servlet.jar, no pom.properties,
    // Bundle-SymbolicName com.google.inject.servlet (set by hand), Bundle-Version 4.2.3. Its real
    // coordinates are com.google.inject.extensions:guice-servlet:4.2.3 (the package's maven-repo).
    const guice = () => readFileSync(join(JAVA, 'debian/guice-servlet.jar'));

    it("Debian's guice-servlet.jar where Debian installs it: artifact id and version, no group, low", async () => {
      expect(coords(await one('usr/share/java/guice-servlet.jar', guice()))).toEqual({
        namespace: undefined,
        name: 'guice-servlet',
        version: '4.2.3',
        evidence: 'file-name',
      });
    });

    it('the same jar at its place in a Maven repository layout takes the coordinates of the path', async () => {
      const want = {
        namespace: 'com.google.inject.extensions',
        name: 'com.google.inject.extensions:guice-servlet',
        version: '4.2.3',
        evidence: 'maven-repository-path',
      };
      const rel = 'com/google/inject/extensions/guice-servlet/4.2.3/guice-servlet-4.2.3.jar';
      expect(coords(await one(`usr/share/maven-repo/${rel}`, guice()))).toEqual(want);
      expect(coords(await one(`root/.m2/repository/${rel}`, guice()))).toEqual(want);
      expect(coords(await one(`home/app/.m2/repository/${rel}`, guice()))).toEqual(want);
      // Debian's placeholder version directory, and the same layout under no known root: no group.
      for (const path of [
        'usr/share/maven-repo/com/google/inject/extensions/guice-servlet/debian/guice-servlet-debian.jar',
        `opt/lib/${rel}`,
      ]) {
        const p = await one(path, guice());
        expect([p.namespace, p.evidence], path).toEqual([undefined, 'file-name']);
      }
    });

    it("Debian's maven-repo links give the jars they point at their coordinates (for the fold)", async () => {
      // `dpkg-deb -c` of libguice-java_4.2.3-2_all.deb: its 30 symbolic links, raw targets.
      const symlinks = new Map<string, string>();
      for (const line of readFileSync(
        join(JAVA, 'debian/libguice-java_4.2.3-2_all.contents.txt'),
        'utf8',
      ).split('\n')) {
        const m = /^l\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+\.\/(\S+) -> (\S+)$/.exec(line);
        if (m) symlinks.set(m[1]!, m[2]!);
      }
      expect(symlinks.size).toBe(30);
      const byFile = coordinatesOfLinkTargets(symlinks, (p) => resolveInImage(p, symlinks));
      // 10 real jars, each linked from <group path>/<artifact>/4.2.3/ (and from debian/, which states no version)
      expect(byFile.size).toBe(10);
      expect(byFile.get('usr/share/java/guice-servlet.jar')).toEqual({
        group: 'com.google.inject.extensions',
        artifact: 'guice-servlet',
        version: '4.2.3',
      });
      // guice-4.2.3-no_aop.jar: a classified artefact of com.google.inject:guice
      expect(byFile.get('usr/share/java/guice-no-aop-4.2.3.jar')).toEqual({
        group: 'com.google.inject',
        artifact: 'guice',
        version: '4.2.3',
      });
      const own = await one('usr/share/java/guice-servlet.jar', guice());
      expect(coords(withRepositoryCoordinates(own, byFile.get('usr/share/java/guice-servlet.jar')!))).toEqual(
        {
          namespace: 'com.google.inject.extensions',
          name: 'com.google.inject.extensions:guice-servlet',
          version: '4.2.3',
          evidence: 'maven-repository-path',
        },
      );
      // pom.properties outranks a path; nested archives are never located by one.
      const stated = {
        kind: 'maven',
        name: 'g:a',
        namespace: 'g',
        version: '1',
        evidence: 'pom.properties',
      } as const;
      const c = { group: 'x', artifact: 'y', version: '2' };
      expect(withRepositoryCoordinates(stated, c)).toBe(stated);
      const inner = { ...own, subPath: 'WEB-INF/lib/guice-servlet.jar' };
      expect(withRepositoryCoordinates(inner, c)).toBe(inner);
      // links stating different coordinates for one file give none
      const two = new Map([
        ['usr/share/maven-repo/a/b/1/b-1.jar', '../../../../java/b.jar'],
        ['usr/share/maven-repo/c/b/1/b-1.jar', '../../../../java/b.jar'],
      ]);
      expect(coordinatesOfLinkTargets(two, (p) => resolveInImage(p, two)).size).toBe(0);
      expect(
        coordinatesOfLinkTargets(new Map([two.entries().next().value!]), (p) => resolveInImage(p, two)),
      ).toEqual(new Map([['usr/share/java/b.jar', { group: 'a', artifact: 'b', version: '1' }]]));
    });

    it('the layout parser: classifiers, snapshots, and files that do not follow it', () => {
      expect(
        mavenRepositoryCoordinates(
          'usr/share/maven-repo/com/google/inject/guice/4.2.3/guice-4.2.3-no_aop.jar',
        ),
      ).toEqual({ group: 'com.google.inject', artifact: 'guice', version: '4.2.3' });
      expect(
        mavenRepositoryCoordinates(
          'root/.m2/repository/org/example/app/1.0-SNAPSHOT/app-1.0-20240101.120000-3.jar',
        ),
      ).toEqual({ group: 'org.example', artifact: 'app', version: '1.0-SNAPSHOT' });
      // file named after another artifact or version; no group directory at all
      expect(
        mavenRepositoryCoordinates('root/.m2/repository/org/example/app/1.0/other-1.0.jar'),
      ).toBeUndefined();
      expect(
        mavenRepositoryCoordinates('root/.m2/repository/org/example/app/1.0/app-1.1.jar'),
      ).toBeUndefined();
      expect(mavenRepositoryCoordinates('root/.m2/repository/app/1.0/app-1.0.jar')).toBeUndefined();
    });

    it('a Bundle-SymbolicName is group + "." + the artifact the file name states (default maven-bundle-plugin name)', async () => {
      // Runsight's own manifest: what maven-bundle-plugin names com.google.inject.extensions:guice-servlet.
      const data = jar(
        'guice-servlet-4.2.3.jar',
        'cfm',
        join(JAVA, 'manifests/guice-servlet-default-bsn.MF'),
      );
      expect(coords(await one('opt/lib/guice-servlet-4.2.3.jar', data))).toEqual({
        namespace: 'com.google.inject.extensions',
        name: 'com.google.inject.extensions:guice-servlet',
        version: '4.2.3',
        evidence: 'manifest',
      });
      // Debian libcdi-api-java 1.2-3's real manifest (its pom.properties says javax.enterprise:cdi-api:1.2):
      // Bundle-SymbolicName javax.enterprise.cdi-api, Bundle-Version 1.2.0, no Implementation-Version.
      const cdi = jar('cdi-api.jar', 'cfm', join(JAVA, 'manifests/cdi-api-1.2.MF'));
      expect(coords(await one('usr/share/java/cdi-api.jar', cdi))).toEqual({
        namespace: 'javax.enterprise',
        name: 'javax.enterprise:cdi-api',
        version: '1.2.0',
        evidence: 'manifest',
      });
      expect(coords(await one('opt/lib/cdi-api-1.2.jar', cdi))).toMatchObject({
        name: 'javax.enterprise:cdi-api',
        version: '1.2',
      });
    });

    it('real manifests whose names were set by hand or are ambiguous give no group', async () => {
      // Debian libcommons-io-java 2.11.0-2: Bundle-SymbolicName org.apache.commons.io, but the
      // groupId is commons-io (Implementation-Vendor-Id says so, and it is not a group the bundle
      // name rule gives back): reading org.apache.commons off the bundle name would be wrong.
      const io = jar('commons-io-2.11.0.jar', 'cfm', join(JAVA, 'manifests/commons-io-2.11.0.MF'));
      expect(coords(await one('app/lib/commons-io-2.11.0.jar', io))).toEqual({
        namespace: undefined,
        name: 'commons-io',
        version: '2.11.0',
        evidence: 'file-name',
      });
      // Debian libguava-java 31.1-1: com.google.guava fits com.google:guava and com.google.guava:guava.
      const guava = jar('guava-31.1-jre.jar', 'cfm', join(JAVA, 'manifests/guava-31.1.MF'));
      expect(coords(await one('app/lib/guava-31.1-jre.jar', guava))).toEqual({
        namespace: undefined,
        name: 'guava',
        version: '31.1-jre',
        evidence: 'file-name',
      });
    });

    it("a pom.xml without pom.properties: parent groupId and version, never a dependency's", async () => {
      const widget = jar('widget.jar', 'cf', '-C', join(JAVA, 'pom-xml/widget'), '.');
      expect(coords(await one('opt/lib/widget.jar', widget))).toEqual({
        namespace: 'org.example',
        name: 'org.example:widget',
        version: '3.1.4',
        evidence: 'pom.xml',
      });
      // ${revision} is defined outside the pom: the version comes from the file name.
      const gadget = jar('gadget-5.0.1.jar', 'cf', '-C', join(JAVA, 'pom-xml/gadget'), '.');
      expect(coords(await one('opt/lib/gadget-5.0.1.jar', gadget))).toEqual({
        namespace: 'org.example.tools',
        name: 'org.example.tools:gadget',
        version: '5.0.1',
        evidence: 'pom.xml',
      });
    });

    it('pom.xml properties and project references resolve; unresolvable ones leave the version unset', () => {
      const pom = (body: string) => parsePomXml(`<project>${body}</project>`);
      const ref = (key: string) => `$\{${key}}`; // a Maven `${key}`
      expect(
        pom(
          `<groupId>org.example</groupId><artifactId>a</artifactId><version>${ref('major')}.${ref('minor')}</version>` +
            `<properties><major>2</major><minor>${ref('patchless')}</minor><patchless>7</patchless></properties>`,
        ),
      ).toEqual({ groupId: 'org.example', artifactId: 'a', version: '2.7' });
      expect(
        pom(
          `<parent><groupId>g</groupId><version>1</version></parent><artifactId>a</artifactId><version>${ref('x')}</version>`,
        ),
      ).toEqual({ groupId: 'g', artifactId: 'a', version: undefined });
      expect(parsePomXml('<settings><groupId>x</groupId></settings>')).toBeUndefined();
    });
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
