// Typed scanner errors. Each says what was expected, what came, and what to do.
import { InputError, RunsightError } from '../core/errors.js';

/** A layer entry whose name climbs out of the image root (`../../etc/passwd`). */
export class PathTraversalError extends RunsightError {
  override readonly name: string = 'PathTraversalError';
  constructor(readonly entry: string) {
    super(
      `layer entry "${entry}" escapes the image root; the layer is rejected (a well-formed layer never does this)`,
    );
  }
}

/** More decompressed bytes than the configured limit: a decompression bomb or a huge image. */
export class DecompressionLimitError extends RunsightError {
  override readonly name: string = 'DecompressionLimitError';
  constructor(readonly limit: number) {
    super(
      `decompressed layer data exceeds the limit of ${limit} bytes (decompression bomb or very large image); raise scan.maxTotalBytes if the image is genuine`,
    );
  }
}

/**
 * A layer's decompressed bytes do not hash to the diffID its image config names: the config lies
 * about the layer (or the blob is not the layer it claims). Container runtimes refuse such a layer.
 */
export class DiffIdMismatchError extends RunsightError {
  override readonly name: string = 'DiffIdMismatchError';
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `the decompressed layer is ${actual}, not ${expected} as the image config's rootfs.diff_ids says; the layer is rejected`,
    );
  }
}

/** A file an extractor wanted is larger than the per-file limit. */
export class FileTooLargeError extends RunsightError {
  override readonly name: string = 'FileTooLargeError';
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      `${path} is ${size} bytes, more than the per-file limit of ${limit}; raise scan.maxFileBytes to read it`,
    );
  }
}

/** A package database or manifest that cannot be parsed. */
export class MalformedFileError extends InputError {
  override readonly name: string = 'MalformedFileError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

/** A layer blob in a format the scanner cannot read. */
export class UnsupportedLayerError extends RunsightError {
  override readonly name: string = 'UnsupportedLayerError';
}
