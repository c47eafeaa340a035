// Scan progress as the CLI shows it: the scanner reports layers and bytes through its progress
// port; the CLI context draws a line with an ETA on a terminal and logs throttled `progress` lines
// otherwise (fake clock, hand-computed ETAs).
import { describe, expect, it } from 'vitest';
import { createContext } from '../cli/context.js';
import { scanImage } from './scan-image.js';
import { buildLayer, memoryImageSource } from './test-support/layers.js';

function context(tty: boolean, clock: { t: number }, logLevel: 'info' | 'warn' | 'error' = 'info') {
  let stderr = '';
  const ctx = createContext(
    { format: 'json', logLevel, insecureRegistry: [] },
    {
      env: {},
      stdout: () => {},
      stderr: (s) => {
        stderr += s;
      },
      stderrIsTTY: tty,
      signal: new AbortController().signal,
      progressIntervalMs: 10_000,
      now: () => clock.t,
    },
  );
  return { ctx, stderr: () => stderr };
}

describe('scan progress', () => {
  it('off a terminal: a progress log line at most every interval, and one at the end of long work', () => {
    const clock = { t: 0 };
    const { ctx, stderr } = context(false, clock);
    const at = (t: number, done: number) => {
      clock.t = t;
      ctx.reportProgress({ task: 'import rows.csv', done, total: 10, unit: 'rows' });
    };
    at(0, 0);
    at(5_000, 1);
    at(10_000, 2); // 2 of 10 in 10 s: 8 more take 40 s
    at(12_000, 3);
    at(15_000, 10);
    const lines = stderr()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(
      lines.map(({ msg, task, done, total, unit, etaSeconds }) => ({
        msg,
        task,
        done,
        total,
        unit,
        etaSeconds,
      })),
    ).toEqual([
      { msg: 'progress', task: 'import rows.csv', done: 2, total: 10, unit: 'rows', etaSeconds: 40 },
      { msg: 'progress', task: 'import rows.csv', done: 10, total: 10, unit: 'rows', etaSeconds: 0 },
    ]);
  });

  it('off a terminal at the default level: long work still logs its progress, short work stays quiet', () => {
    const clock = { t: 0 };
    const { ctx, stderr } = context(false, clock, 'warn');
    ctx.reportProgress({ task: 'short', done: 0, total: 2, unit: 'rows' });
    clock.t = 3_000;
    ctx.reportProgress({ task: 'short', done: 2, total: 2, unit: 'rows' });
    expect(stderr()).toBe('');
    ctx.reportProgress({ task: 'long', done: 0, total: 4, unit: 'rows' });
    clock.t = 14_000;
    ctx.reportProgress({ task: 'long', done: 1, total: 4, unit: 'rows' });
    clock.t = 20_000;
    ctx.reportProgress({ task: 'long', done: 4, total: 4, unit: 'rows' });
    expect(
      stderr()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).done),
    ).toEqual([1, 4]);
    // --log-level error hides them.
    const quiet = context(false, { t: 0 }, 'error');
    quiet.ctx.reportProgress({ task: 'long', done: 0, total: 4, unit: 'rows' });
    expect(quiet.stderr()).toBe('');
  });

  it('on a terminal: a scan draws layers, bytes and an ETA', async () => {
    const a = await buildLayer([
      { path: 'app/a-1.0.dist-info/METADATA', content: 'Name: a\nVersion: 1.0\n' },
    ]);
    const b = await buildLayer([
      { path: 'app/b-1.0.dist-info/METADATA', content: 'Name: b\nVersion: 1.0\n' },
    ]);
    const clock = { t: 0 };
    const { ctx, stderr } = context(true, clock);
    const [r] = await scanImage({
      source: memoryImageSource([a, b], 'memory:progress'),
      progress: (p) => {
        clock.t += 1000;
        ctx.reportProgress(p);
      },
    });
    expect(r!.status).toBe('complete');
    const mib = ((a.blob.length + b.blob.length) / 2 ** 20).toFixed(1);
    const drawn = stderr().split('\r\x1b[2K').filter(Boolean);
    expect(drawn.at(-1)).toBe(`scan memory:progress linux/amd64: 2/2 layers, ${mib}/${mib} MiB, ETA 0:00`);
    expect(drawn.some((l) => l.includes('1/2 layers'))).toBe(true);
    // Not a terminal: the same scan draws nothing, and a scan this short logs no progress line.
    const quiet = context(false, { t: 0 });
    await scanImage({
      source: memoryImageSource([a, b], 'memory:progress'),
      progress: quiet.ctx.reportProgress,
    });
    expect(quiet.stderr()).not.toContain('\r');
    expect(quiet.stderr()).not.toContain('"msg":"progress"');
  });
});
