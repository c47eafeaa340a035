// SHA-2 hashing off the main thread for large blobs: the bytes flow to the consumer on the main
// thread while a worker hashes a copy, so verification costs a memcpy there instead of the hash.
// Chunks are batched into 1 MiB buffers that are transferred (not cloned) to the worker.
import { Worker } from 'node:worker_threads';

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'start') hashes.set(m.id, createHash(m.algorithm));
  else if (m.op === 'data') { hashes.get(m.id)?.update(new Uint8Array(m.buffer, 0, m.length)); parentPort.postMessage({ id: m.id, acked: true }); }
  else if (m.op === 'end') { const h = hashes.get(m.id); hashes.delete(m.id); parentPort.postMessage({ id: m.id, hex: h ? h.digest('hex') : '' }); }
  else if (m.op === 'drop') hashes.delete(m.id);
});`;

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, (hex: string) => void>();
const acks = new Map<number, () => void>();
let active = 0;

function getWorker(): Worker {
  if (!worker) {
    worker = new Worker(SOURCE, { eval: true });
    worker.on('message', (m: { id: number; hex: string; acked?: boolean }) => {
      if (m.acked) return void acks.get(m.id)?.();
      waiting.get(m.id)?.(m.hex);
      waiting.delete(m.id);
    });
    worker.on('error', () => {
      worker = undefined;
    });
    worker.unref();
  }
  return worker;
}

const BATCH = 1 << 20;
/**
 * Batches sent but not yet hashed, per stream, before the reader waits: without this bound a
 * network faster than the hash queues the whole blob in the worker's message queue (memory).
 */
const MAX_IN_FLIGHT = 8;

/** A streaming hash computed in the worker thread. */
export class OffThreadHash {
  private readonly id = nextId++;
  private readonly w: Worker;
  private buf = new Uint8Array(BATCH);
  private used = 0;
  private closed = false;
  private inFlight = 0;
  private wake: (() => void) | undefined;

  constructor(algorithm: string) {
    this.w = getWorker();
    acks.set(this.id, () => {
      this.inFlight--;
      if (this.wake && this.inFlight <= MAX_IN_FLIGHT / 2) {
        const wake = this.wake;
        this.wake = undefined;
        wake();
      }
    });
    active++;
    this.w.ref();
    this.w.postMessage({ op: 'start', id: this.id, algorithm });
  }

  update(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(chunk.length - off, BATCH - this.used);
      this.buf.set(chunk.subarray(off, off + n), this.used);
      this.used += n;
      off += n;
      if (this.used === BATCH) this.flush();
    }
  }

  private flush(): void {
    if (this.used === 0) return;
    const buffer = this.buf.buffer;
    this.w.postMessage({ op: 'data', id: this.id, buffer, length: this.used }, [buffer]);
    this.inFlight++;
    this.buf = new Uint8Array(BATCH);
    this.used = 0;
  }

  /** Undefined while the worker keeps up; else a promise that settles once it has caught up. */
  whenReady(): Promise<void> | undefined {
    if (this.inFlight < MAX_IN_FLIGHT || this.closed) return undefined;
    return new Promise<void>((resolve) => {
      this.wake = resolve;
    });
  }

  digestHex(): Promise<string> {
    this.flush();
    const done = new Promise<string>((resolve) => waiting.set(this.id, resolve));
    this.w.postMessage({ op: 'end', id: this.id });
    return done.finally(() => this.release());
  }

  /** Abandons the hash (stream destroyed early). */
  drop(): void {
    if (this.closed) return;
    this.w.postMessage({ op: 'drop', id: this.id });
    this.release();
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    acks.delete(this.id);
    this.wake?.();
    this.wake = undefined;
    if (--active === 0) this.w.unref();
  }
}
