import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { metadataKeys } from '../../metadata-keys.js';
import { dockerObservation, dockerWorkload, REPO_DIGESTS_LABEL } from './collector.js';
import { containerListSchema } from './schema.js';

const recorded = JSON.parse(
  readFileSync(
    new URL('../../../../testdata/inventory/docker/containers-json.json', import.meta.url),
    'utf8',
  ),
);

describe('Docker containers from a recorded /containers/json response', () => {
  const list = containerListSchema.parse(recorded);

  it('validates the recorded response and maps Compose labels to a workload', () => {
    expect(list).toHaveLength(recorded.length);
    const node = list.find((c) => c.Names?.[0] === '/dockersd_node_1')!;
    const o = dockerObservation('host-a', 'host-a', node, undefined, undefined, metadataKeys());
    expect(o).toMatchObject({
      id: `host-a/${node.Id}`,
      cluster: 'host-a',
      namespace: 'dockersd',
      workloadKind: 'ComposeService',
      workloadName: 'node',
      container: 'dockersd_node_1',
      image: 'prom/node-exporter:v1.1.2',
      imageId: 'sha256:c19ae228f0699185488b6a1c0debb9c6b79672181356ad455c9a7924a41a01bb',
      digest: 'sha256:c19ae228f0699185488b6a1c0debb9c6b79672181356ad455c9a7924a41a01bb',
      digestKind: 'config',
      state: 'running',
    });
    expect(o.startedAt?.toISOString()).toBe(new Date(node.Created! * 1000).toISOString());
  });

  it('records RepoDigests and the image platform from image inspect', () => {
    const o = dockerObservation(
      'h',
      undefined,
      list[0]!,
      undefined,
      {
        Id: list[0]!.ImageID!,
        RepoDigests: [
          'prom/node-exporter@sha256:cf66a6bbd573fd819ea09c72e21b528e9252d58d01ae13564a29749de1e48e0f',
        ],
        Os: 'linux',
        Architecture: 'arm',
        Variant: 'v7',
      },
      metadataKeys(),
    );
    expect(o.platform).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7', osVersion: undefined });
    expect(o.labels[REPO_DIGESTS_LABEL]).toMatch(/^prom\/node-exporter@sha256:/);
  });

  it('maps Swarm labels to the stack and service', () => {
    expect(
      dockerWorkload(
        { 'com.docker.stack.namespace': 'mon', 'com.docker.swarm.service.name': 'mon_grafana' },
        'x',
      ),
    ).toEqual({ namespace: 'mon', kind: 'SwarmService', name: 'grafana' });
    expect(dockerWorkload({}, 'plain')).toEqual({ kind: 'Container', name: 'plain' });
  });
});
