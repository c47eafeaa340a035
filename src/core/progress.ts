// The progress port: long stage work (scanning layers, importing rows or reports) reports how far it
// got through an optional callback in its options; a face (the CLI) decides how to show it — a
// redrawn line with an ETA on a terminal, periodic log lines otherwise. Stages never draw.

/** How far one task has got. Counts only grow; `total`/`totalBytes` are set when known. */
export interface Progress {
  /** What is being done, e.g. `scan 127.0.0.1:5000/app:1 linux/amd64`. */
  task: string;
  /** Units finished so far. */
  done: number;
  total?: number | undefined;
  /** What `done` counts: `layers`, `rows`, `files`, `findings`, … */
  unit: string;
  /** Bytes processed so far, when the work is measured in bytes too. */
  bytes?: number | undefined;
  totalBytes?: number | undefined;
}

export type ProgressSink = (p: Progress) => void;
