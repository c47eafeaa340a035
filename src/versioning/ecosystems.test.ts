import { describe, expect, it } from 'vitest';
import { compareVersions, InvalidVersionError, UnknownEcosystemError } from './index.js';

describe('compareVersions', () => {
  it('takes OSV ecosystem names with or without a release', () => {
    expect(compareVersions('Debian:12', '1.0~rc1', '1.0')).toBe(-1);
    expect(compareVersions('Debian', '2:1.0', '1:9.9')).toBe(1);
    expect(compareVersions('Ubuntu:22.04:LTS', '1.0-1ubuntu1', '1.0-1')).toBe(1);
    expect(compareVersions('Alpine:v3.18', '1.2_rc1', '1.2')).toBe(-1);
    expect(compareVersions('AlmaLinux:8', '1:1.1.1k-7.el8_6', '1.1.1k-5.el8_5')).toBe(1);
    expect(compareVersions('Red Hat', '1.0^git1-1', '1.0-1')).toBe(1);
    // every OS ecosystem name the scanner's OS detection produces has a comparator
    expect(compareVersions('Mariner:2.0', '1.1.1k-7.cm2', '1.1.1k-10.cm2')).toBe(-1);
    expect(compareVersions('Amazon Linux:2', '1:2.0-1.amzn2', '2.0-1.amzn2')).toBe(1);
    expect(compareVersions('npm', '1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareVersions('PyPI', '1.0.post1', '1.0')).toBe(1);
    expect(compareVersions('Maven', '1.0-SNAPSHOT', '1.0')).toBe(-1);
    expect(compareVersions('Go', '0.0.0-20191109021931-daa7c04131f5', '0.1.0')).toBe(-1);
    expect(compareVersions('Go', 'v2.0.0+incompatible', '2.0.0')).toBe(0);
    expect(compareVersions('RubyGems', '1.0.a', '1.0')).toBe(-1);
    expect(compareVersions('NuGet', '1.0.0.1', '1.0')).toBe(1);
    expect(compareVersions('Packagist', '1.0-dev', '1.0')).toBe(-1);
    expect(compareVersions('crates.io', '1.0.0-alpha', '1.0.0')).toBe(-1);
    expect(compareVersions('Hex', '1.10.0', '1.9.0')).toBe(1);
    expect(compareVersions('Pub', '1.0.0+1', '1.0.0')).toBe(1);
  });

  it('throws a typed error on an unknown ecosystem, never falls back', () => {
    expect(() => compareVersions('Slackware', '1', '2')).toThrow(UnknownEcosystemError);
    expect(() => compareVersions('GIT', 'abc', 'def')).toThrow(UnknownEcosystemError);
  });

  it('throws a typed error that names the version on invalid input', () => {
    expect(() => compareVersions('Debian:12', 'abc', '1.0')).toThrow(InvalidVersionError);
    expect(() => compareVersions('Alpine', '1.0bc', '1.0')).toThrow(/1\.0bc.*apk/);
    expect(() => compareVersions('npm', 'not-a-version', '1.0.0')).toThrow(InvalidVersionError);
    // A legacy PyPI version is ordered (before every PEP 440 one, as pip's packaging 21.3 does);
    // the empty string is not a version.
    expect(() => compareVersions('PyPI', '', '1.0')).toThrow(InvalidVersionError);
  });
});
