// Runsight's own image and manifests (docs/deploy.md), checked offline: the Containerfile's shape,
// every object under deploy/ against the Kubernetes schemas (kubernetes-models' validators), the
// example overlay rendered as kustomize renders it, and the security posture the docs promise —
// non-root, read-only root filesystem, no capabilities, no service account token where none is
// needed — with each container's arguments parsed by the real CLI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { holdsCredentials, parseConfig } from '../src/cli/config.js';
import { COMMANDS, createProgram, type Run } from '../src/cli/main.js';
import { PUBLIC_PATHS } from '../src/server/app.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEPLOY = join(ROOT, 'deploy');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; bin: Record<string, string> };

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are checked by schema, not by type
type K8sObject = Record<string, any>;

function loadYaml(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => {
      if (d.errors.length) throw new Error(`${file}: ${d.errors[0]?.message}`);
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

// ---- a renderer for the subset of kustomize deploy/ uses; anything else is refused, so a new
// feature in a kustomization fails here instead of rendering wrong. The example overlay's output
// is compared with kustomize's own (testdata/deploy/example.kustomize.yaml).
const KUSTOMIZATION_KEYS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images', 'patches']);
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
/** Strategic-merge keys of the lists a patch may touch (the Kubernetes API's patchMergeKey). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
};

function strategicMerge(target: K8sObject, patch: K8sObject): K8sObject {
  for (const [key, value] of Object.entries(patch)) {
    const cur = target[key];
    if (Array.isArray(value) && Array.isArray(cur) && value.every((v) => typeof v === 'object')) {
      const mk = MERGE_KEYS[key];
      if (!mk) {
        target[key] = value;
        continue;
      }
      for (const item of value) {
        const found = cur.find((c) => c[mk] === item[mk]);
        if (found) strategicMerge(found, item);
        else cur.push(item);
      }
    } else if (
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      cur &&
      typeof cur === 'object'
    ) {
      strategicMerge(cur, value);
    } else {
      target[key] = value;
    }
  }
  return target;
}

function podSpecs(o: K8sObject): K8sObject[] {
  return o.kind === 'Deployment' ? [o.spec.template.spec] : [];
}

function render(dir: string): K8sObject[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as K8sObject;
  for (const key of Object.keys(k))
    if (!KUSTOMIZATION_KEYS.has(key))
      throw new Error(`${dir}: kustomization key ${key} is not rendered here`);
  const objects: K8sObject[] = (k.resources as string[]).flatMap((r) => {
    const path = join(dir, r);
    return statSync(path).isDirectory() ? render(path) : loadYaml(path);
  });
  for (const p of (k.patches ?? []) as K8sObject[]) {
    if (Object.keys(p).join() !== 'path')
      throw new Error(`${dir}: only patches with a path are rendered here`);
    const patch = parse(readFileSync(join(dir, p.path), 'utf8')) as K8sObject;
    const target = objects.find(
      (o) =>
        o.kind === patch.kind && o.metadata.name === patch.metadata.name && o.apiVersion === patch.apiVersion,
    );
    if (!target) throw new Error(`${dir}: patch ${p.path} matches no resource`);
    strategicMerge(target, patch);
  }
  if (k.namespace) {
    for (const o of objects) {
      if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
      for (const s of o.kind === 'ClusterRoleBinding' ? o.subjects : [])
        if (s.kind === 'ServiceAccount') s.namespace = k.namespace;
    }
  }
  for (const img of (k.images ?? []) as K8sObject[]) {
    for (const c of objects.flatMap(podSpecs).flatMap((s) => s.containers as K8sObject[])) {
      const name = String(c.image).replace(/[@:][^/]*$/, '');
      if (name === img.name) c.image = `${img.newName ?? img.name}:${img.newTag}`;
    }
  }
  return objects;
}

const byKindName = (a: K8sObject, b: K8sObject) =>
  `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`);

/**
 * Every whole object file under deploy/: not kustomizations, not patches (partial objects, checked
 * once rendered), not deploy/grafana (dashboards, not Kubernetes objects).
 */
function manifestFiles(): string[] {
  const out: string[] = [];
  const patches = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (path !== join(DEPLOY, 'grafana')) walk(path);
      } else if (e.name === 'kustomization.yaml') {
        const k = parse(readFileSync(path, 'utf8')) as K8sObject;
        for (const p of (k.patches ?? []) as K8sObject[]) patches.add(join(dir, p.path));
      } else if (e.name.endsWith('.yaml')) out.push(path);
    }
  };
  walk(DEPLOY);
  return out.filter((f) => !patches.has(f)).sort();
}

async function schemaErrors(o: K8sObject): Promise<string | undefined> {
  const mod = (await import(`kubernetes-models/${o.apiVersion}/${o.kind}`)) as Record<
    string,
    new (
      data: K8sObject,
    ) => { validate(): void }
  >;
  const Model = mod[o.kind];
  if (!Model) return `no model for ${o.apiVersion} ${o.kind}`;
  try {
    new Model(o).validate();
    return undefined;
  } catch (err) {
    return `${o.kind}/${o.metadata?.name}: ${(err as Error).message}`;
  }
}

const RENDERED = render(join(DEPLOY, 'overlays/example'));
const SERVER = render(join(DEPLOY, 'server'));
const AGENT = render(join(DEPLOY, 'agent'));
const SECRETS = loadYaml(join(DEPLOY, 'overlays/example/secrets.example.yaml'));
const deployments = (objs: K8sObject[]) => objs.filter((o) => o.kind === 'Deployment');
const deployment = (objs: K8sObject[], name: string) => {
  const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (!d) throw new Error(`no Deployment ${name}`);
  return d;
};
const container = (d: K8sObject) => d.spec.template.spec.containers[0] as K8sObject;

describe('deploy/ manifests', () => {
  it('every object validates against the Kubernetes schemas (kubernetes-models)', async () => {
    const objects = [...manifestFiles().flatMap(loadYaml), ...RENDERED];
    expect(objects.length).toBeGreaterThan(10);
    const errors = (await Promise.all(objects.map(schemaErrors))).filter(Boolean);
    expect(errors).toEqual([]);
  });

  it('the example overlay renders as kustomize renders it', () => {
    const expected = loadYaml(join(ROOT, 'testdata/deploy/example.kustomize.yaml'));
    expect([...RENDERED].sort(byKindName)).toEqual([...expected].sort(byKindName));
  });

  it('renders server, worker and agent from the one image, tagged with the package version', () => {
    for (const d of deployments([...SERVER, ...AGENT]))
      expect(container(d).image, d.metadata.name).toBe(`runsight:${pkg.version}`);
    expect(deployments(RENDERED).map((d) => [d.metadata.name, container(d).image])).toEqual([
      ['runsight-server', `registry.example.com/runsight:${pkg.version}`],
      ['runsight-worker', `registry.example.com/runsight:${pkg.version}`],
      ['runsight-agent', `registry.example.com/runsight:${pkg.version}`],
    ]);
    expect(
      RENDERED.every(
        (o) => o.kind === 'Namespace' || CLUSTER_SCOPED.has(o.kind) || o.metadata.namespace === 'runsight',
      ),
    ).toBe(true);
    expect(container(deployment(RENDERED, 'runsight-agent')).args).toContain('prod');
    expect(deployment(RENDERED, 'runsight-worker').spec.replicas).toBe(3);
  });

  it('every pod runs non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp', () => {
    for (const d of deployments(RENDERED)) {
      const spec = d.spec.template.spec;
      const where = d.metadata.name;
      expect(spec.securityContext, where).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(spec.hostNetwork ?? false, where).toBe(false);
      expect(spec.hostPID ?? false, where).toBe(false);
      expect(spec.hostIPC ?? false, where).toBe(false);
      expect(
        spec.volumes.filter((v: K8sObject) => v.hostPath),
        where,
      ).toEqual([]);
      for (const c of [...spec.containers, ...(spec.initContainers ?? [])] as K8sObject[]) {
        expect(c.securityContext, where).toEqual({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(c.resources.requests, where).toMatchObject({
          cpu: expect.any(String),
          memory: expect.any(String),
        });
        expect(c.resources.limits.memory, where).toEqual(expect.any(String));
        // A read-only root needs a writable /tmp (TMPDIR and HOME in the Containerfile): an emptyDir.
        const tmp = c.volumeMounts.find((m: K8sObject) => m.mountPath === '/tmp');
        expect(spec.volumes.find((v: K8sObject) => v.name === tmp?.name)?.emptyDir, where).toBeDefined();
      }
    }
  });

  it('server and worker mount no service account token; the agent uses its own, bound to the ClusterRole', () => {
    for (const name of ['runsight-server', 'runsight-worker']) {
      const spec = deployment(RENDERED, name).spec.template.spec;
      expect(spec.automountServiceAccountToken, name).toBe(false);
      expect(spec.serviceAccountName, name).toBeUndefined();
    }
    const agent = deployment(RENDERED, 'runsight-agent').spec.template.spec;
    const binding = RENDERED.find((o) => o.kind === 'ClusterRoleBinding');
    expect(agent.automountServiceAccountToken).toBe(true);
    expect(binding?.subjects).toEqual([
      { kind: 'ServiceAccount', name: agent.serviceAccountName, namespace: 'runsight' },
    ]);
    expect(RENDERED.filter((o) => o.kind === 'ClusterRole').map((o) => o.metadata.name)).toEqual([
      binding?.roleRef.name,
    ]);
    expect(RENDERED.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
  });

  it('the agent reads its token from a Secret file and exposes its metrics port', () => {
    const spec = deployment(RENDERED, 'runsight-agent').spec.template.spec;
    const c = spec.containers[0] as K8sObject;
    const tokenFile = c.args[c.args.indexOf('--token-file') + 1] as string;
    const mount = c.volumeMounts.find((m: K8sObject) => tokenFile.startsWith(`${m.mountPath}/`));
    const volume = spec.volumes.find((v: K8sObject) => v.name === mount?.name);
    expect(mount?.readOnly).toBe(true);
    expect(`${mount?.mountPath}/${volume?.secret.items[0].path}`).toBe(tokenFile);
    const secret = SECRETS.find((s) => s.metadata.name === volume?.secret.secretName);
    expect(Object.keys(secret?.stringData ?? {})).toContain(volume?.secret.items[0].key);
    expect(c.env ?? []).toEqual([]); // no token in the environment
    const metrics = c.args[c.args.indexOf('--metrics-listen') + 1] as string;
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(c.ports).toEqual([
      { name: 'metrics', containerPort: Number(metrics.split(':').at(-1)), protocol: 'TCP' },
    ]);
  });

  it('server and worker read DATABASE_URL from the Secret and the config from the ConfigMap', () => {
    const configMap = RENDERED.find((o) => o.kind === 'ConfigMap');
    const config = parseConfig(configMap?.data['config.yaml'], 'deploy/server/config.yaml');
    expect(holdsCredentials(config)).toBe(false);
    for (const name of ['runsight-server', 'runsight-worker']) {
      const d = deployment(RENDERED, name);
      const c = container(d);
      const env = Object.fromEntries((c.env as K8sObject[]).map((e) => [e.name, e]));
      const ref = env.DATABASE_URL?.valueFrom.secretKeyRef;
      expect(SECRETS.find((s) => s.metadata.name === ref.name)?.stringData[ref.key], name).toMatch(
        /^postgres:\/\//,
      );
      const mount = c.volumeMounts.find((m: K8sObject) =>
        env.RUNSIGHT_CONFIG?.value.startsWith(`${m.mountPath}/`),
      );
      const volume = d.spec.template.spec.volumes.find((v: K8sObject) => v.name === mount?.name);
      expect(volume?.configMap.name, name).toBe(configMap?.metadata.name);
      expect(mount?.readOnly, name).toBe(true);
    }
    // serve listens where its probes, port and Service point.
    const serve = container(deployment(RENDERED, 'runsight-server'));
    const port = Number(String(serve.args[serve.args.indexOf('--listen') + 1]).split(':')[1]);
    expect(config.server?.listen).toBe(`0.0.0.0:${port}`);
    expect(serve.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect([serve.livenessProbe.httpGet.path, serve.readinessProbe.httpGet.path]).toEqual([
      '/healthz',
      '/readyz',
    ]);
    for (const probe of [serve.startupProbe, serve.livenessProbe, serve.readinessProbe]) {
      expect(PUBLIC_PATHS).toContain(probe.httpGet.path); // answered without a token
      expect(probe.httpGet.port).toBe('http');
    }
    const service = RENDERED.find((o) => o.kind === 'Service');
    expect(service?.spec.ports[0].targetPort).toBe('http');
    expect(service?.spec.selector).toEqual(deployment(RENDERED, 'runsight-server').spec.selector.matchLabels);
    const agent = container(deployment(RENDERED, 'runsight-agent'));
    expect(agent.args[agent.args.indexOf('--server') + 1]).toBe(
      `http://${service?.metadata.name}.${service?.metadata.namespace}.svc:${service?.spec.ports[0].port}`,
    );
  });

  describe('container arguments parse with the real CLI', () => {
    let program: Command;
    beforeAll(async () => {
      program = createProgram({ stdout: () => {}, stderr: () => {} });
      const run: Run = () => async () => {};
      for (const load of COMMANDS) (await load())(program, run);
    });
    const cases = [
      ['runsight-server', 'serve'],
      ['runsight-worker', 'worker'],
      ['runsight-agent', 'agent'],
    ] as const;
    it.each(cases)('%s runs `%s` with options that command has', (name, command) => {
      const args = container(deployment(RENDERED, name)).args as string[];
      expect(args[0]).toBe(command);
      const cmd = program.commands.find((c) => c.name() === command);
      expect(cmd, `runsight ${command} is not a command of src/cli/main.ts`).toBeDefined();
      const known = new Set([...(cmd as Command).options, ...program.options].map((o) => o.long));
      const unknown = args.filter((a) => a.startsWith('--') && !known.has(a.split('=')[0]));
      expect(unknown).toEqual([]);
    });
  });
});

describe('Containerfile', () => {
  const text = read('Containerfile');
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const froms = lines.flatMap((l, i) => (/^FROM\s/i.test(l) ? [i] : []));
  const finalStage = lines.slice(froms.at(-1));

  it('is multi-stage: a build stage, then a runtime stage that copies from it', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(lines[froms[0]!]).toMatch(/^FROM \S+ AS build$/);
    const build = lines.slice(froms[0]!, froms[1]).join('\n');
    expect(build).toMatch(/RUN npm ci\b/);
    expect(build).toMatch(/npm run build/);
    expect(build).toMatch(/npm prune --omit=dev/);
    expect(finalStage.filter((l) => /^RUN\s.*npm (ci|install)/.test(l))).toEqual([]);
  });

  it('runs as a numeric non-root user with the CLI as entrypoint', () => {
    const users = finalStage.filter((l) => /^USER\s/.test(l));
    expect(users).toEqual(['USER 65532:65532']);
    const entry = finalStage.find((l) => /^ENTRYPOINT\s/.test(l));
    expect(JSON.parse(entry?.replace(/^ENTRYPOINT\s+/, '') ?? 'null')).toEqual([
      'node',
      `/app/${pkg.bin.runsight}`,
    ]);
    expect(finalStage.join('\n')).toMatch(/ENV .*RUNSIGHT_DATA_DIR=\/var\/lib\/runsight/);
    expect(finalStage.join('\n')).toMatch(/ENV .*TMPDIR=\/tmp/);
  });

  it('ships what the package ships (package.json "files"), its production dependencies and nothing else', () => {
    const files = (JSON.parse(read('package.json')) as { files: string[] }).files;
    const copied = finalStage
      .filter((l) => /^COPY --from=build /.test(l))
      .map((l) =>
        l
          .split(/\s+/)[2]
          ?.replace(/^\/src\//, '')
          .replace(/\/$/, ''),
      );
    expect(copied.sort()).toEqual([...files, 'node_modules', 'package.json'].sort());
  });

  it('sends to the build only what the build stage copies (.dockerignore is an allowlist)', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const build = lines.slice(froms[0]!, froms[1]);
    const sources = build
      .filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))
      .flatMap((l) => l.split(/\s+/).slice(1, -1))
      .map((s) => s.replace(/^\.\//, '').replace(/\/$/, ''));
    expect([...new Set(sources)].sort()).toEqual([...allowed].sort());
  });

  it('scripts/build-image.sh builds the same user and entrypoint', () => {
    const script = read('scripts/build-image.sh');
    expect(script).toContain('UID_GID=65532:65532');
    expect(script).toContain('--config.entrypoint node --config.entrypoint /app/dist/cli/bin.js');
    expect(script).toContain('--config.env RUNSIGHT_DATA_DIR=/var/lib/runsight');
  });
});
