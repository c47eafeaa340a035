import { describe, expect, it } from 'vitest';
import { canonicalId } from './dedupe.js';

describe('canonical vulnerability ids', () => {
  it('a CVE stays; a GHSA/PYSEC naming exactly one CVE becomes it; otherwise the id stays', () => {
    expect(canonicalId('CVE-2021-44228', ['GHSA-jfh8-c2jp-5v3q'])).toEqual({
      id: 'CVE-2021-44228',
      aliases: ['GHSA-jfh8-c2jp-5v3q'],
    });
    expect(canonicalId('PYSEC-2023-212', ['CVE-2023-45803', 'GHSA-g4mx-q9vg-27p4']).id).toBe(
      'CVE-2023-45803',
    );
    expect(canonicalId('GHSA-x', ['CVE-2020-1', 'CVE-2020-2']).id).toBe('GHSA-x');
    expect(canonicalId('MAL-2023-1035', ['GHSA-8348-2q94-ffjx']).id).toBe('MAL-2023-1035');
  });
});
