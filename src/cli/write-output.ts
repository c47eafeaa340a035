// Where a command's document goes: `--output FILE` — written to a temp file beside it and renamed
// into place, so that a failed run leaves the previous file as it was — or stdout.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../core/errors.js';

export type Writer = (chunk: string) => void | Promise<void>;

/** Runs `produce` into `file` (through a temp file renamed into place) or into `print`. */
export async function output(
  file: string | undefined,
  produce: (write: Writer) => Promise<unknown>,
  print: (text: string) => void,
): Promise<void> {
  if (file === undefined) {
    await produce(print);
    return;
  }
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const stream = createWriteStream(temp, { flags: 'wx' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened.catch((err: NodeJS.ErrnoException) => {
      throw new InputError(`cannot write --output ${file}: ${err.code ?? err.message}`);
    });
    await produce(async (chunk) => {
      if (!stream.write(chunk))
        await new Promise<void>((resolve, reject) => {
          stream.once('drain', resolve);
          stream.once('error', reject);
        });
    });
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    await rename(temp, file);
  } catch (err) {
    stream.destroy();
    await rm(temp, { force: true });
    throw err;
  }
}
