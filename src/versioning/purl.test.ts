import { describe, expect, it } from 'vitest';
import { packageFromPurl, parsePurl } from './index.js';

describe('parsePurl (package-url spec)', () => {
  it.each([
    ['pkg:npm/%40babel/core@7.0.0', { type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' }],
    ['pkg:npm/@babel/core@7.0.0', { type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' }],
    ['pkg:npm/@babel/core', { type: 'npm', namespace: '@babel', name: 'core', version: undefined }],
    ['pkg:npm/lodash', { type: 'npm', namespace: undefined, name: 'lodash', version: undefined }],
    [
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2?package-id=5f',
      {
        namespace: 'org.apache.logging.log4j',
        name: 'log4j-core',
        version: '2.13.2',
        qualifiers: { 'package-id': '5f' },
      },
    ],
    [
      'pkg:golang/github.com/gorilla/context@v1.1.1#api/v1',
      {
        type: 'golang',
        namespace: 'github.com/gorilla',
        name: 'context',
        version: 'v1.1.1',
        subpath: 'api/v1',
      },
    ],
    [
      'pkg:oci/debian@sha256%3A244fd47e07d10?repository_url=docker.io/library/debian&arch=amd64',
      {
        type: 'oci',
        name: 'debian',
        version: 'sha256:244fd47e07d10',
        qualifiers: { repository_url: 'docker.io/library/debian', arch: 'amd64' },
      },
    ],
    [
      'PKG:Deb/debian/curl@7.50.3-1?Arch=i386',
      { type: 'deb', namespace: 'debian', name: 'curl', qualifiers: { arch: 'i386' } },
    ],
    ['pkg:generic/openssl@1.1.10g?download_url=', { name: 'openssl', version: '1.1.10g', qualifiers: {} }],
  ])('%s', (purl, expected) => {
    expect(parsePurl(purl)).toMatchObject(expected);
  });

  it.each(['not a purl', 'pkg:npm', 'pkg:npm/', 'pkg:1npm/x@1', 'pkg:npm/%zz@1', 'http://example.com/x'])(
    'rejects %s',
    (purl) => {
      expect(parsePurl(purl)).toBeUndefined();
    },
  );
});

describe('packageFromPurl: purl → OSV ecosystem, name, version', () => {
  it.each([
    [
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2?package-id=5f',
      { ecosystem: 'Maven', name: 'org.apache.logging.log4j:log4j-core', version: '2.13.2' },
    ],
    ['pkg:npm/%40babel/core@7.0.0', { ecosystem: 'npm', name: '@babel/core', version: '7.0.0' }],
    ['pkg:npm/@babel/core@7.0.0', { ecosystem: 'npm', name: '@babel/core', version: '7.0.0' }],
    [
      'pkg:golang/github.com/gorilla/context@v1.1.1',
      { ecosystem: 'Go', name: 'github.com/gorilla/context', version: 'v1.1.1' },
    ],
    ['pkg:composer/laravel/framework@5.5.0', { ecosystem: 'Packagist', name: 'laravel/framework' }],
    ['pkg:pypi/django@1.11.1', { ecosystem: 'PyPI', name: 'django', version: '1.11.1' }],
    ['pkg:gem/activesupport@6.0.2.1', { ecosystem: 'RubyGems', name: 'activesupport' }],
    ['pkg:cargo/rand@0.7.2', { ecosystem: 'crates.io', name: 'rand' }],
    ['pkg:nuget/Newtonsoft.Json@12.0.1', { ecosystem: 'NuGet', name: 'Newtonsoft.Json' }],
    [
      'pkg:swift/github.com/Alamofire/Alamofire@5.4.3',
      { ecosystem: 'SwiftURL', name: 'github.com/Alamofire/Alamofire' },
    ],
    // OS packages: ecosystem from the distro qualifier (Trivy, Syft and our own writers' forms)
    [
      'pkg:deb/debian/bash@5.0-4?arch=amd64&distro=debian-10.1',
      { ecosystem: 'Debian:10', name: 'bash', version: '5.0-4' },
    ],
    ['pkg:deb/ubuntu/libc6@2.35-0ubuntu3?distro=ubuntu-22.04', { ecosystem: 'Ubuntu:22.04' }],
    ['pkg:apk/alpine/musl@1.1.22-r3?distro=3.10.2', { ecosystem: 'Alpine:v3.10', name: 'musl' }],
    ['pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.18.4', { ecosystem: 'Alpine:v3.18' }],
    ['pkg:rpm/rocky/openssl@3.0.7-24.el9?distro=rocky-9.3', { ecosystem: 'Rocky Linux:9' }],
    ['pkg:rpm/opensuse/bash@4.4-9.10.1?distro=opensuse-leap-15.5', { ecosystem: 'openSUSE:Leap 15.5' }],
    ['pkg:rpm/amazon/bash@4.2.46-34.amzn2?distro=amzn-2', { ecosystem: 'Amazon Linux:2' }],
    // rpm epoch qualifier is part of the version
    [
      'pkg:rpm/redhat/openssl-libs@1.1.1k-7.el8_6?arch=x86_64&epoch=1&distro=rhel-8.6',
      { ecosystem: 'Red Hat', name: 'openssl-libs', version: '1:1.1.1k-7.el8_6' },
    ],
    ['pkg:rpm/redhat/bash@4.4.20-4.el8?epoch=0&distro=rhel-8.6', { version: '4.4.20-4.el8' }],
    // …and so is Trivy's Debian epoch qualifier (a version that already has one is kept).
    ['pkg:deb/debian/libc6@2.36-9?epoch=1', { ecosystem: 'Debian', name: 'libc6', version: '1:2.36-9' }],
    [
      'pkg:deb/debian/bsdutils@2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&epoch=1',
      { ecosystem: 'Debian:12', version: '1:2.38.1-5+deb12u3' },
    ],
    ['pkg:deb/debian/git@1:2.39.2-1?epoch=1', { version: '1:2.39.2-1' }],
    // namespace decides when there is no distro qualifier
    ['pkg:deb/debian/bash@5.0-4', { ecosystem: 'Debian', name: 'bash' }],
  ])('%s', (purl, expected) => {
    expect(packageFromPurl(purl)).toMatchObject(expected);
  });

  it('leaves the ecosystem out when the distro is unknown, unless told to assume one', () => {
    expect(packageFromPurl('pkg:rpm/acme/tool@1.0-1')).toEqual({ name: 'tool', version: '1.0-1' });
    expect(packageFromPurl('pkg:rpm/acme/tool@1.0-1', { assumeDistro: true })?.ecosystem).toBe('Red Hat');
    expect(packageFromPurl('pkg:conda/numpy@1.0')).toEqual({ name: 'numpy', version: '1.0' });
  });

  it('the document OS decides over the purl distro', () => {
    const os = { family: 'centos', release: '7.6.1810' };
    expect(
      packageFromPurl('pkg:rpm/centos/bash@4.2.46-31.el7?distro=centos-7.6.1810', { os })?.ecosystem,
    ).toBe('Red Hat');
    expect(
      packageFromPurl('pkg:deb/debian/bash@5.0?distro=debian-11', { os: { family: 'debian', release: '12' } })
        ?.ecosystem,
    ).toBe('Debian:12');
  });

  it('is undefined for what is not a purl', () => {
    expect(packageFromPurl('not a purl')).toBeUndefined();
  });
});
