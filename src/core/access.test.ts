import { describe, expect, it } from 'vitest';
import { formatScope, inScope, isUnrestricted, parseScope, roleAllows } from './access.js';
import { UsageError } from './errors.js';

describe('access scopes', () => {
  it('parses KIND=VALUE items, values of one kind are alternatives', () => {
    expect(parseScope(['cluster=prod', 'namespace=shop', 'namespace=cart', 'namespace=shop'])).toEqual({
      clusters: ['prod'],
      namespaces: ['shop', 'cart'],
    });
    expect(parseScope(['owner=team=a'])).toEqual({ owners: ['team=a'] });
  });

  it('refuses unknown kinds, empty values and control characters', () => {
    for (const bad of ['pod=x', 'namespace=', '=shop', 'namespace', 'namespace=a\nb'])
      expect(() => parseScope([bad]), bad).toThrow(UsageError);
  });

  it('formats in a stable order', () => {
    expect(formatScope({ namespaces: ['shop', 'cart'], clusters: ['prod'] })).toEqual([
      'cluster=prod',
      'namespace=cart',
      'namespace=shop',
    ]);
    expect(formatScope({})).toEqual([]);
  });

  it('holds a container inside or outside', () => {
    const c = { cluster: 'prod', namespace: 'shop', environment: null, owner: 'team-a' };
    expect(inScope({}, c)).toBe(true);
    expect(isUnrestricted({ namespaces: [] })).toBe(true);
    expect(inScope({ clusters: ['prod'], namespaces: ['cart', 'shop'] }, c)).toBe(true);
    expect(inScope({ clusters: ['dev'], namespaces: ['shop'] }, c)).toBe(false);
    // A restriction on a field the container lacks excludes it.
    expect(inScope({ environments: ['production'] }, c)).toBe(false);
  });

  it('orders roles admin ⊃ operator ⊃ viewer', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'viewer')).toBe(true);
    expect(roleAllows('viewer', 'operator')).toBe(false);
    expect(roleAllows('operator', 'admin')).toBe(false);
  });
});
