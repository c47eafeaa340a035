import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kubeContexts } from './kubeconfig.js';
import { kubeconfigYaml } from './test-support/api-server.js';

const dir = mkdtempSync(join(tmpdir(), 'runsight-kubeconfig-'));
const file = join(dir, 'config');
writeFileSync(
  file,
  kubeconfigYaml(
    [
      { name: 'prod', server: 'https://10.0.0.1:6443', ca: 'x' },
      { name: 'staging', server: 'https://10.0.0.2:6443', ca: 'x' },
    ],
    'staging',
  ),
);

describe('kubeContexts', () => {
  it('takes the current context, a named one, or all of them', async () => {
    expect(
      (await kubeContexts({ kubeconfig: file, env: {} })).map((t) => [t.context, t.cluster, t.server]),
    ).toEqual([['staging', 'staging', 'https://10.0.0.2:6443']]);
    expect(
      (await kubeContexts({ kubeconfig: file, context: 'prod', clusterName: 'eu-1', env: {} }))[0],
    ).toMatchObject({ cluster: 'eu-1' });
    expect(
      (await kubeContexts({ env: { KUBECONFIG: file }, allContexts: true })).map((t) => t.cluster),
    ).toEqual(['prod', 'staging']);
  });

  it('explains bad combinations and missing configuration', async () => {
    await expect(kubeContexts({ kubeconfig: file, context: 'nope', env: {} })).rejects.toThrow(
      /context "nope" is not in .*prod, staging/,
    );
    await expect(
      kubeContexts({ kubeconfig: file, allContexts: true, context: 'prod', env: {} }),
    ).rejects.toThrow(/not both/);
    await expect(
      kubeContexts({ kubeconfig: file, allContexts: true, clusterName: 'x', env: {} }),
    ).rejects.toThrow(/--cluster-name/);
    await expect(kubeContexts({ env: { HOME: dir } })).rejects.toThrow(/no kubeconfig found/);
    await expect(kubeContexts({ kubeconfig: join(dir, 'missing'), env: {} })).rejects.toThrow(
      /cannot load kubeconfig/,
    );
  });
});
