import { describe, expect, it } from 'vitest';
import { ecosystemForType } from './ecosystem.js';

describe('ecosystems', () => {
  it('language types map to OSV names; OS types need the report OS', () => {
    expect(ecosystemForType('pip')).toBe('PyPI');
    expect(ecosystemForType('gobinary')).toBe('Go');
    expect(ecosystemForType('jar')).toBe('Maven');
    expect(ecosystemForType('debian', { os: { family: 'debian', release: '12.1' } })).toBe('Debian:12');
    expect(ecosystemForType('rpm', { os: { family: 'rocky', release: '8.5' } })).toBe('Rocky Linux:8');
    expect(ecosystemForType('apk')).toBeUndefined();
  });
});
