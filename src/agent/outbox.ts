// What the agent still has to tell the server, kept bounded (docs/agent.md "Buffering").
// The agent mirrors its cluster: `state` holds every container it watches (a full list replaces the
// listed namespaces, a delta adds and removes). What the server lacks is either a FULL LIST (built
// from `state` when it is sent, so it includes every change up to then) or a queue of deltas since
// the last batch the server took. A full list supersedes every queued delta. The delta queue is
// bounded in batches and bytes: past either bound it is dropped with one log line and a full list
// is owed instead — the agent never holds more than its cluster's state plus the bound.
// Batches are cut by count and bytes; each has an id (`<agent instance>:<seq>`) kept across retries,
// so the server applies it once (Idempotency-Key).
import type { ContainerObservation } from '../core/types.js';

export interface OutboxLimits {
  /** Queued delta batches before the queue is dropped (default 10,000). */
  maxQueuedBatches: number;
  /** Queued delta bytes (JSON) before the queue is dropped (default 64 MiB). */
  maxQueuedBytes: number;
  /** Containers + removals per sent delta batch (default 2,000). */
  maxBatchItems: number;
  /** JSON bytes per sent delta batch (default 4 MiB). */
  maxBatchBytes: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = {
  maxQueuedBatches: 10_000,
  maxQueuedBytes: 64 * 2 ** 20,
  maxBatchItems: 2_000,
  maxBatchBytes: 4 * 2 ** 20,
};

interface QueuedDelta {
  added: ContainerObservation[];
  removed: string[];
  bytes: number;
}

/** One batch as it goes out: its id and body stay the same across retries. */
export interface Batch {
  id: string;
  type: 'full' | 'delta';
  /** The JSON body (the route's InventoryMutation). */
  json: string;
  /** Containers (full) or added + removed (delta). */
  items: number;
}

export interface DropNotice {
  batches: number;
  bytes: number;
}

export class Outbox {
  /** Every container the agent currently sees, by id. */
  readonly state = new Map<string, ContainerObservation>();
  private queue: QueuedDelta[] = [];
  private queuedBytes = 0;
  private fullOwed = false;
  private inFlight: Batch | undefined;
  private seq = 0;
  /** Queued deltas merged into the delta in flight. */
  private takenFromQueue = 0;
  /** Whether a full list has been taken by the server since start. */
  private fullTaken = false;
  dropped = 0;
  private waiters: (() => void)[] = [];

  constructor(
    private readonly instance: string,
    /** The namespaces the agent watches (undefined: all): a full list covers exactly these. */
    private readonly namespaces: string[] | undefined,
    private readonly limits: OutboxLimits = DEFAULT_OUTBOX_LIMITS,
    private readonly onDrop: (n: DropNotice) => void = () => {},
  ) {}

  /** A list of `namespaces` (undefined: the whole cluster) from the collector. */
  full(containers: ContainerObservation[], namespaces: string[] | undefined): void {
    if (namespaces) {
      const listed = new Set(namespaces);
      for (const [id, o] of this.state) if (listed.has(o.namespace ?? '')) this.state.delete(id);
    } else this.state.clear();
    for (const o of containers) this.state.set(o.id, o);
    this.oweFull();
  }

  /** A batch of watch events from the collector. */
  delta(added: ContainerObservation[], removed: string[]): void {
    for (const o of added) this.state.set(o.id, o);
    for (const id of removed) this.state.delete(id);
    if (this.fullOwed) {
      this.wake(); // the owed full list, built when sent, will carry it
      return;
    }
    if (!added.length && !removed.length) return;
    const bytes = jsonBytes(added) + jsonBytes(removed);
    if (
      this.queue.length + 1 > this.limits.maxQueuedBatches ||
      this.queuedBytes + bytes > this.limits.maxQueuedBytes
    ) {
      this.onDrop({ batches: this.queue.length + 1, bytes: this.queuedBytes + bytes });
      this.dropped++;
      this.oweFull();
      return;
    }
    this.queue.push({ added, removed, bytes });
    this.queuedBytes += bytes;
    this.wake();
  }

  /** Owes the server a full list: every queued delta is superseded. */
  oweFull(): void {
    this.fullOwed = true;
    this.queue = [];
    this.queuedBytes = 0;
    this.takenFromQueue = 0;
    this.wake();
  }

  /**
   * The batch to send now: the one in flight (a retry, same id and body) unless a full list
   * superseded it, else the owed full list, else the next deltas merged up to the batch bounds.
   */
  next(): Batch | undefined {
    if (this.inFlight && !this.fullOwed) return this.inFlight;
    if (this.fullOwed) {
      this.fullOwed = false;
      this.takenFromQueue = 0;
      const containers = [...this.state.values()];
      const body = this.namespaces
        ? { type: 'full', containers, namespaces: this.namespaces }
        : { type: 'full', containers };
      this.inFlight = {
        id: this.nextId(),
        type: 'full',
        json: JSON.stringify(body),
        items: containers.length,
      };
      return this.inFlight;
    }
    if (!this.queue.length) {
      this.inFlight = undefined;
      return undefined;
    }
    const added = new Map<string, ContainerObservation>();
    const removed = new Set<string>();
    let items = 0;
    let bytes = 0;
    let taken = 0;
    for (const d of this.queue) {
      const n = d.added.length + d.removed.length;
      if (taken > 0 && (items + n > this.limits.maxBatchItems || bytes + d.bytes > this.limits.maxBatchBytes))
        break;
      // A container removed and then seen again must not be merged into one batch (removals land last).
      if (taken > 0 && d.added.some((o) => removed.has(o.id))) break;
      for (const o of d.added) added.set(o.id, o);
      for (const id of d.removed) removed.add(id);
      items += n;
      bytes += d.bytes;
      taken++;
    }
    const body = { type: 'delta', added: [...added.values()], removed: [...removed] };
    this.inFlight = { id: this.nextId(), type: 'delta', json: JSON.stringify(body), items };
    this.takenFromQueue = taken;
    return this.inFlight;
  }

  /** The server took `batch`. */
  ack(batch: Batch): void {
    if (this.inFlight !== batch) return;
    this.inFlight = undefined;
    if (batch.type === 'full') this.fullTaken = true;
    else {
      for (const d of this.queue.splice(0, this.takenFromQueue)) this.queuedBytes -= d.bytes;
    }
    this.takenFromQueue = 0;
  }

  /** The server refused `batch` for good: it is dropped, and a full list owed (the server may be behind). */
  reject(batch: Batch): void {
    if (this.inFlight !== batch) return;
    if (batch.type === 'delta') {
      this.ack(batch);
      this.oweFull();
    } else this.inFlight = undefined;
  }

  /** Nothing owed: the server holds what the agent sees (after at least one full list). */
  get inSync(): boolean {
    return this.fullTaken && !this.fullOwed && !this.inFlight && this.queue.length === 0;
  }

  get queued(): { batches: number; bytes: number; fullOwed: boolean } {
    return { batches: this.queue.length, bytes: this.queuedBytes, fullOwed: this.fullOwed };
  }

  /** Pods the agent sees (distinct namespace/pod of its containers). */
  get pods(): number {
    const pods = new Set<string>();
    for (const o of this.state.values()) pods.add(`${o.namespace ?? ''}/${o.pod ?? o.id}`);
    return pods.size;
  }

  /** Resolves when something is owed (at once if it already is) or `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.fullOwed || this.queue.length || this.inFlight || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private nextId(): string {
    this.seq++;
    return `${this.instance}:${this.seq}`;
  }
}

function jsonBytes(v: unknown): number {
  return Buffer.byteLength(JSON.stringify(v));
}
