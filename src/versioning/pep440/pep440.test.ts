// What the vector files cannot say (they split on whitespace): which characters packaging strips
// around a version, and that a blank string is no version. Each expected order was printed by pip
// 23.2.1's vendored packaging 21.3 (`parse(a) < parse(b)` etc.) on this machine.
import { describe, expect, it } from 'vitest';
import { InvalidVersionError } from '../scheme.js';
import { pep440 } from './pep440.js';

describe('pep440 whitespace and legacy versions', () => {
  it('strips the whitespace Python strips (str.isspace), not JavaScript’s', () => {
    expect(pep440.compare(' 1.0\t', '1.0')).toBe(0);
    expect(pep440.compare('\x1c1.0', '1.0')).toBe(0); // a separator control: space to Python only
    expect(pep440.compare('1.0\x85', '1.0')).toBe(0);
    expect(pep440.compare('1.0\xa0', '1.0')).toBe(0);
    // U+FEFF is whitespace to JavaScript, not to Python: a legacy version, before any PEP 440 one.
    expect(pep440.compare('\ufeff1.0', '0.0.dev0')).toBe(-1);
  });

  it('orders inner whitespace as a legacy part', () => {
    expect(pep440.compare('1.0 beta', '1.0')).toBe(-1);
    expect(pep440.compare('1.0 beta', '0.9-doduo')).toBe(1);
  });

  it('rejects the empty and blank string', () => {
    for (const v of ['', ' ', '\t\n']) {
      expect(pep440.isValid(v)).toBe(false);
      expect(() => pep440.compare(v, '1.0')).toThrow(InvalidVersionError);
    }
  });
});
