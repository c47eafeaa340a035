// Test support: Debian's `podman system service` as a real Docker-compatible Engine API on a unix
// socket, with its own temporary storage (vfs, cgroupfs, file events: works as root in a container
// without systemd). Images come from OCI layouts built with `umoci` (no network); containers are
// created, not started (running them is impossible on this machine; the API does not care).
// Under CI=true a podman that cannot start fails the test; elsewhere the caller may skip.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PodmanService {
  socket: string;
  /** Runs the podman CLI against the same storage. */
  podman(...args: string[]): Promise<string>;
  /** Builds a one-file OCI image with umoci and pulls it into podman; returns its image id (config digest). */
  makeImage(name: string, content: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startPodman(): Promise<PodmanService> {
  // Lowercase only: podman names an `oci:` image after its path, and references are lowercase.
  const dir = join(tmpdir(), `runsight-podman-${randomBytes(6).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'api.sock');
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, '[engine]\nevents_logger = "file"\ncgroup_manager = "cgroupfs"\n');
  const global = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'runroot'),
    '--storage-driver',
    'vfs',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
  ];
  const env = { ...process.env, CONTAINERS_CONF: conf, TMPDIR: dir };
  const podman = async (...args: string[]) =>
    (await run('podman', [...global, ...args], { env, timeout: 120_000 })).stdout;
  let child: ChildProcess | undefined;
  try {
    child = spawn('podman', [...global, 'system', 'service', '--time=0', `unix://${socket}`], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<never>((_, reject) => {
      child!.once('exit', (code) =>
        reject(new Error(`podman system service exited (${code}): ${stderr.slice(-500)}`)),
      );
      // A missing podman binary is an 'error' event, not an exit.
      child!.once('error', (err) => reject(new Error(`cannot start podman: ${err.message}`, { cause: err })));
    });
    await Promise.race([waitForPing(socket), exited]);
  } catch (err) {
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let images = 0;
  return {
    socket,
    podman,
    async makeImage(name, content) {
      const layout = join(dir, `oci-${++images}`);
      await run('umoci', ['init', '--layout', layout]);
      await run('umoci', ['new', '--image', `${layout}:latest`]);
      const bundle = join(dir, `bundle-${images}`);
      await run('umoci', ['unpack', '--rootless', '--image', `${layout}:latest`, bundle]);
      mkdirSync(join(bundle, 'rootfs', 'etc'), { recursive: true });
      writeFileSync(join(bundle, 'rootfs', 'etc', 'motd'), content);
      await run('umoci', ['repack', '--image', `${layout}:latest`, bundle]);
      await run('umoci', [
        'config',
        '--image',
        `${layout}:latest`,
        '--config.cmd',
        '/bin/true',
        '--os',
        'linux',
        '--architecture',
        'amd64',
      ]);
      const out = await podman('pull', '-q', `oci:${layout}:latest`);
      const id = out.trim().split('\n').at(-1)!;
      await podman('tag', id, name);
      return `sha256:${id}`;
    },
    async stop() {
      if (child && child.exitCode === null) {
        const gone = new Promise((r) => child!.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await podman('system', 'reset', '--force').catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(socket: string): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ socketPath: socket, path: '/_ping' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`podman API on ${socket} did not answer /_ping within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Creates a container through the Engine API, as `docker create` does. */
export function createContainer(
  socket: string,
  name: string,
  body: Record<string, unknown>,
): Promise<string> {
  return apiCall(socket, 'POST', `/containers/create?name=${encodeURIComponent(name)}`, body).then(
    (r) => JSON.parse(r).Id,
  );
}

export function removeContainer(socket: string, id: string): Promise<string> {
  return apiCall(socket, 'DELETE', `/containers/${id}?force=1`);
}

function apiCall(socket: string, method: string, path: string, body?: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        socketPath: socket,
        path,
        method,
        headers: text
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }
          : {},
      },
      (res) => {
        let out = '';
        res.on('data', (d) => {
          out += d;
        });
        res.on('end', () =>
          (res.statusCode ?? 500) < 300
            ? resolve(out)
            : reject(new Error(`${method} ${path}: ${res.statusCode} ${out}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
