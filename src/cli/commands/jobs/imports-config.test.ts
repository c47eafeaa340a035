// The config keys of the import jobs (`imports:`, `cadence.imports`): accepted as documented in
// docs/configuration.md, and a misspelt or invalid one named by its key.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../config.js';

describe('imports config', () => {
  it('accepts the watched directory, trivy-operator clusters and cadence.imports', () => {
    const c = parseConfig(
      [
        'cadence: {imports: 30s}',
        'imports:',
        '  directory: {path: /var/lib/runsight/inbox, format: grype}',
        '  trivyOperator:',
        '    - {kubeconfig: /etc/kc, context: prod-eu, clusterName: prod}',
        '    - {}',
      ].join('\n'),
      'f.yaml',
    );
    expect(c.cadence?.imports).toBe('30s');
    expect(c.imports).toEqual({
      directory: { path: '/var/lib/runsight/inbox', format: 'grype' },
      trivyOperator: [{ kubeconfig: '/etc/kc', context: 'prod-eu', clusterName: 'prod' }, {}],
    });
  });

  it('names a misspelt or invalid key', () => {
    expect(() => parseConfig('imports:\n  directory: {pth: /x}\n', 'f.yaml')).toThrow(/imports\.directory/);
    expect(() => parseConfig('imports:\n  directory: {path: /x, format: sarif}\n', 'f.yaml')).toThrow(
      /config key "imports.directory.format"/,
    );
    expect(() => parseConfig('imports:\n  trivyOperator: [{cluster: a}]\n', 'f.yaml')).toThrow(
      /config key "imports.trivyOperator.0.cluster": unknown key/,
    );
    expect(() => parseConfig('cadence: {imports: often}\n', 'f.yaml')).toThrow(
      /config key "cadence.imports": expected a duration/,
    );
  });
});
