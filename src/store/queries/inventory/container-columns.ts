// The observed columns of a `containers` row, defined once: each column's kind, whether it is part
// of the image identity, and how an observation fills it. The table type (schema.ts), the row
// mapper, the staging table, the upsert and the SQL change checks are derived from it.
import { sql } from 'kysely';
import type { ContainerObservation, Platform } from '../../../core/types.js';

/** What a column holds (`?`: nullable), and the value an observation gives it. */
interface ColumnValues {
  text: string;
  'text?': string | null;
  'int?': number | null;
  'time?': Date | null;
  /** jsonb of a string map, written as JSON text. */
  labels: string;
}
export type ContainerColumnKind = keyof ColumnValues;

type ColumnSpec = {
  [K in ContainerColumnKind]: {
    kind: K;
    /** Part of the image identity: when it changes, the container is resolved again. */
    identity?: true;
    of(o: ContainerObservation): ColumnValues[K];
  };
}[ContainerColumnKind];

export function platformText(p: Platform | undefined): string | null {
  if (!p?.os || !p.architecture) return null;
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export const CONTAINER_COLUMNS = {
  cluster: { kind: 'text?', of: (o) => o.cluster ?? null },
  namespace: { kind: 'text?', of: (o) => o.namespace ?? null },
  workload_kind: { kind: 'text?', of: (o) => o.workloadKind ?? null },
  workload_name: { kind: 'text?', of: (o) => o.workloadName ?? null },
  pod: { kind: 'text?', of: (o) => o.pod ?? null },
  container_name: { kind: 'text', of: (o) => o.container },
  container_kind: { kind: 'text', of: (o) => o.containerKind },
  node: { kind: 'text?', of: (o) => o.node ?? null },
  platform: { kind: 'text?', identity: true, of: (o) => platformText(o.platform) },
  image: { kind: 'text', identity: true, of: (o) => o.image },
  image_id: { kind: 'text?', identity: true, of: (o) => o.imageId ?? null },
  digest: { kind: 'text?', identity: true, of: (o) => o.digest ?? null },
  digest_kind: { kind: 'text?', of: (o) => o.digestKind ?? null },
  state: { kind: 'text', of: (o) => o.state },
  started_at: { kind: 'time?', of: (o) => o.startedAt ?? null },
  finished_at: { kind: 'time?', of: (o) => o.finishedAt ?? null },
  restarts: { kind: 'int?', of: (o) => o.restarts ?? null },
  owner: { kind: 'text?', of: (o) => o.owner ?? null },
  environment: { kind: 'text?', of: (o) => o.environment ?? null },
  labels: { kind: 'labels', of: (o) => JSON.stringify(o.labels ?? {}) },
} as const satisfies Record<string, ColumnSpec>;

export type ContainerColumnSpecs = typeof CONTAINER_COLUMNS;
export type ContainerColumn = keyof ContainerColumnSpecs;

/** The observed columns, in their defined order. */
export const CONTAINER_COLUMN_NAMES = Object.keys(CONTAINER_COLUMNS) as ContainerColumn[];
/** The columns that make up the image identity. */
export const IDENTITY_COLUMNS = CONTAINER_COLUMN_NAMES.filter(
  (c) => (CONTAINER_COLUMNS[c] as ColumnSpec).identity,
);

type ObservedValues = { [K in ContainerColumn]: ReturnType<ContainerColumnSpecs[K]['of']> };
const specs = CONTAINER_COLUMN_NAMES.map((c) => [c, CONTAINER_COLUMNS[c] as ColumnSpec] as const);

/** The `containers` row of one observation, first and last seen `now`. */
export function containerRow(
  o: ContainerObservation,
  sourceId: number,
  now: Date,
): { id: string; source_id: number } & ObservedValues & { first_seen: Date; last_seen: Date } {
  const observed: Record<string, unknown> = {};
  for (const [c, spec] of specs) observed[c] = spec.of(o);
  return { id: o.id, source_id: sourceId, ...(observed as ObservedValues), first_seen: now, last_seen: now };
}

const columnsOf = (table: string, columns: readonly ContainerColumn[]) =>
  sql.join(columns.map((c) => sql.ref(`${table}.${c}`)));

/** The SQL type of each kind of column (a staging table holds the observed columns as typed). */
export const COLUMN_TYPES: Record<ContainerColumnKind, string> = {
  text: 'text',
  'text?': 'text',
  'int?': 'integer',
  'time?': 'timestamptz',
  labels: 'jsonb',
};

/** Rows `a` and `b` (aliases) differ in some of `columns` (by default every observed column). */
export function columnsDiffer(
  a: string,
  b: string,
  columns: readonly ContainerColumn[] = CONTAINER_COLUMN_NAMES,
) {
  return sql<boolean>`(${columnsOf(a, columns)}) is distinct from (${columnsOf(b, columns)})`;
}

/** In an upsert: the stored row has the image identity of the incoming one. */
export const SAME_IDENTITY = sql`(${columnsOf('containers', IDENTITY_COLUMNS)}) is not distinct from (${columnsOf('excluded', IDENTITY_COLUMNS)})`;

/** In an upsert: some observed column of the stored row differs from the incoming one. */
export const ATTRIBUTES_DIFFER = sql`(${columnsOf('containers', CONTAINER_COLUMN_NAMES)}) is distinct from (${columnsOf('excluded', CONTAINER_COLUMN_NAMES)})`;
