// COPY … FROM STDIN on PostgreSQL through the query builder: a bulk load of rows as one text
// payload, the fastest way into a table (docs/adr/0015-set-based-inventory-batches.md). The pg
// Client of a PostgreSQL store (open-store.ts) runs a `copyFromStdin` statement as a COPY; PGlite
// has no such client, so its callers load rows another way (an `unnest` insert). The payload may also
// be a stream of chunks, sent as they come: the server loads one while the next is made.
import { CompiledQuery } from 'kysely';
import type pg from 'pg';

const COPY_FROM_STDIN = /^copy [a-z_]+ \([a-z_, ]+\) from stdin$/;

/** COPY rows: a string, their UTF-8 bytes (CopyLines), or a stream of such byte chunks. */
export type CopyPayload = string | Uint8Array | AsyncIterable<Uint8Array>;

/**
 * `copy <table> (<columns>) from stdin`, its rows `copyText` lines (a string, or their UTF-8 bytes:
 * CopyLines, or a stream of byte chunks each ending at a line's end): run it on a PostgreSQL store
 * only. A stream is sent chunk by chunk as it yields, at most COPY_IN_FLIGHT bytes ahead of the
 * server; a stream that throws aborts the COPY (CopyFail) and the statement fails with its error.
 */
export function copyFromStdin(table: string, columns: readonly string[], rows: CopyPayload): CompiledQuery {
  const text = `copy ${table} (${columns.join(', ')}) from stdin`;
  if (!COPY_FROM_STDIN.test(text)) throw new Error(`not a COPY statement: ${text}`);
  return CompiledQuery.raw(text, [rows]);
}

/**
 * COPY text built as UTF-8 bytes line by line: each line is encoded once into a growing buffer,
 * instead of one string concatenated piece by piece and encoded at the end (which costs ~2.5× for
 * a batch of thousands of lines: the string is a deep tree of pieces until it is flattened).
 */
export class CopyLines {
  private buf: Buffer;
  private end = 0;

  constructor(sizeHint = 1 << 16) {
    this.buf = Buffer.allocUnsafe(sizeHint);
  }

  /** Appends one line (its fields already `copyField`s, tab-separated, ending in `\n`). */
  add(line: string): void {
    // At most 3 bytes per UTF-16 code unit.
    if (this.end + line.length * 3 > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + line.length * 3));
      this.buf.copy(grown, 0, 0, this.end);
      this.buf = grown;
    }
    this.end += this.buf.write(line, this.end, 'utf8');
  }

  /** The bytes so far (a view: the builder is not to be used after). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.end);
  }
}

/** One value as a field of COPY's text format (`\N` for null; backslash, tab and line breaks escaped). */
export function copyField(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'))
    : v;
}

type QueryResultLike = { command: string; rowCount: number; rows: never[] };

/** The pg Client class of a PostgreSQL store: a `copyFromStdin` statement runs as a COPY. */
export function copyingClient(Client: typeof pg.Client): typeof pg.Client {
  return class CopyingClient extends Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg's query() is overloaded; every other call passes through.
    override query(config: any, values?: any, callback?: any): any {
      if (
        typeof config === 'string' &&
        Array.isArray(values) &&
        values.length === 1 &&
        isPayload(values[0]) &&
        callback === undefined &&
        COPY_FROM_STDIN.test(config)
      ) {
        const copy = new CopyIn(config, values[0]);
        super.query(copy);
        return copy.done;
      }
      return super.query(config, values, callback);
    }
  } as typeof pg.Client;
}

function isPayload(v: unknown): v is CopyPayload {
  return (
    typeof v === 'string' ||
    v instanceof Uint8Array ||
    (typeof v === 'object' && v !== null && Symbol.asyncIterator in v)
  );
}

/**
 * Bytes of a streamed payload sent and not yet taken by the server before the stream is read on:
 * enough that the server always has rows to load while the next chunk is made, bounded whatever
 * the stream's length.
 */
export const COPY_IN_FLIGHT = 8 << 20;

/** The part of pg's Connection a COPY uses. */
interface CopyConnection {
  stream: NodeJS.WritableStream & { writableLength: number };
  sendCopyFromChunk(b: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(msg: string): void;
}

/** A submittable (pg's query protocol): sends the statement, then the payload as CopyData. */
class CopyIn {
  readonly done: Promise<QueryResultLike>;
  private settle!: { resolve: (r: QueryResultLike) => void; reject: (e: unknown) => void };
  private rowCount = 0;
  private failed = false;
  /** A streamed payload threw: the statement fails with this, not the server's "COPY … failed". */
  private streamError: { error: unknown } | undefined;

  constructor(
    readonly text: string,
    private readonly payload: CopyPayload,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  submit(connection: { query(text: string): void }): void {
    connection.query(this.text);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    const p = this.payload;
    if (typeof p === 'string' || p instanceof Uint8Array) {
      send(connection, p);
      connection.endCopyFrom();
    } else void this.pump(connection, p);
  }

  /** Sends a stream's chunks as they come; stops when the server failed the COPY. */
  private async pump(connection: CopyConnection, chunks: AsyncIterable<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of chunks) {
        if (this.failed) return;
        send(connection, chunk);
        if (connection.stream.writableLength > COPY_IN_FLIGHT) await drained(connection.stream);
        if (this.failed) return;
      }
      connection.endCopyFrom();
    } catch (error) {
      if (this.failed) return;
      this.streamError = { error };
      connection.sendCopyFail(error instanceof Error ? error.message : String(error));
    }
  }

  handleCommandComplete(msg: { text: string }): void {
    this.rowCount = Number(msg.text.split(' ')[1] ?? 0);
  }

  handleError(err: unknown): void {
    this.failed = true;
    this.settle.reject(this.streamError ? this.streamError.error : err);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.settle.resolve({ command: 'COPY', rowCount: this.rowCount, rows: [] });
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
}

function send(connection: CopyConnection, p: string | Uint8Array): void {
  const bytes =
    typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p.buffer, p.byteOffset, p.byteLength);
  for (let i = 0; i < bytes.length; i += 1 << 16)
    connection.sendCopyFromChunk(bytes.subarray(i, i + (1 << 16)));
}

/** Until the socket's buffer drained, or it closed or failed (then the statement fails by itself). */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
