// A request body written to a private temporary file as it arrives, refused (413) once it passes
// the limit: a scanner report of hundreds of MiB never sits in memory, and the importers read it
// from the file exactly as they read the CLI's.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ApiError } from './errors.js';

export interface SpooledBody {
  file: string;
  bytes: number;
  /** Removes the file and its directory. */
  dispose(): Promise<void>;
}

export async function spoolBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  declaredLength: string | undefined,
): Promise<SpooledBody> {
  if (declaredLength !== undefined && Number(declaredLength) > maxBytes) throw tooLarge(maxBytes);
  if (!body)
    throw new ApiError(400, 'empty_body', 'the request has no body; send the report file as the body');
  const dir = await mkdtemp(join(tmpdir(), 'runsight-upload-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const file = join(dir, 'body');
  let bytes = 0;
  try {
    const out = Writable.toWeb(createWriteStream(file, { mode: 0o600 }));
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    });
    await body.pipeThrough(counter).pipeTo(out);
  } catch (err) {
    await dispose();
    if (err instanceof ApiError) throw err;
    throw new ApiError(
      400,
      'body_unreadable',
      `the request body could not be read: ${(err as Error).message}`,
    );
  }
  if (bytes === 0) {
    await dispose();
    throw new ApiError(400, 'empty_body', 'the request body is empty; send the report file as the body');
  }
  return { file, bytes, dispose };
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    'body_too_large',
    `the request body is larger than ${maxBytes} bytes (server.maxBodyBytes); split the report or raise the limit`,
  );
}
