import { describe, expect, it } from 'vitest';
import { ecosystemForType, osEcosystem, packageFromPurl } from './ecosystem.js';

describe('ecosystems', () => {
  it('OS families with OSV release suffixes', () => {
    expect(osEcosystem('debian', '10.4')).toBe('Debian:10');
    expect(osEcosystem('alpine', '3.10.2')).toBe('Alpine:v3.10');
    expect(osEcosystem('ubuntu', '18.04')).toBe('Ubuntu:18.04');
    expect(osEcosystem('amazon', '2 (Karoo)')).toBe('Amazon Linux:2');
    expect(osEcosystem('redhat', '9.1')).toBe('Red Hat');
    expect(osEcosystem('plan9', '4')).toBeUndefined();
  });

  it('language types map to OSV names; OS types need the report OS', () => {
    expect(ecosystemForType('pip')).toBe('PyPI');
    expect(ecosystemForType('gobinary')).toBe('Go');
    expect(ecosystemForType('jar')).toBe('Maven');
    expect(ecosystemForType('debian', { os: { family: 'debian', release: '12.1' } })).toBe('Debian:12');
    expect(ecosystemForType('rpm', { os: { family: 'rocky', release: '8.5' } })).toBe('Rocky Linux:8');
    expect(ecosystemForType('apk')).toBeUndefined();
  });

  it('package URLs', () => {
    expect(packageFromPurl('pkg:maven/org.apache.logging.log4j/log4j-core@2.13.2?package-id=5f')).toEqual({
      ecosystem: 'Maven',
      name: 'org.apache.logging.log4j:log4j-core',
      version: '2.13.2',
    });
    expect(packageFromPurl('pkg:npm/%40babel/core@7.0.0')).toMatchObject({
      ecosystem: 'npm',
      name: '@babel/core',
    });
    expect(packageFromPurl('pkg:deb/debian/bash@5.0-4?arch=amd64&distro=debian-10.1')).toMatchObject({
      ecosystem: 'Debian:10',
      name: 'bash',
    });
    expect(packageFromPurl('pkg:apk/alpine/musl@1.1.22-r3?distro=3.10.2')).toMatchObject({
      ecosystem: 'Alpine:v3.10',
    });
    expect(packageFromPurl('not a purl')).toBeUndefined();
  });
});
