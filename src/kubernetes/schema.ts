// zod schemas for the Kubernetes API machinery every caller meets: list envelopes (ListMeta with
// resourceVersion and continue), watch event lines and Status objects (meta/v1). They accept both
// the raw JSON of a stream and the objects @kubernetes/client-node deserializes (`_continue`).
import { z } from 'zod';

export const listMetaSchema = z.object({
  resourceVersion: z.string().nullish(),
  _continue: z.string().nullish(),
  continue: z.string().nullish(),
});

/** A `…List` object: its items stay raw, so one odd item does not sink the list. */
export const listSchema = z.object({
  items: z
    .array(z.unknown())
    .nullish()
    .transform((v) => v ?? []),
  metadata: listMetaSchema.nullish(),
});

/** A watch event line: `{"type": "ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR", "object": …}`. */
export const watchEventSchema = z.object({
  type: z.enum(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']),
  object: z.unknown(),
});

/** The Status object of an ERROR event or a failed request (410 Gone = resourceVersion too old). */
export const statusSchema = z.object({
  kind: z.literal('Status').optional(),
  code: z.number().nullish(),
  reason: z.string().nullish(),
  message: z.string().nullish(),
});
