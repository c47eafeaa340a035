// zod schemas for the parts of Kubernetes objects the inventory reads: Pods, Nodes, Namespaces,
// ReplicaSets and Jobs (core/v1, apps/v1, batch/v1); list envelopes, watch events and Status objects
// are src/kubernetes/schema.ts. They accept both the raw JSON of a watch stream and the objects
// @kubernetes/client-node deserializes (timestamps as Date).
// Unknown fields are ignored; missing optional ones are fine; a wrong type is a clear error.
import { z } from 'zod';

const time = z
  .union([z.string(), z.date()])
  .nullish()
  .transform((v) => (v == null ? undefined : v instanceof Date ? v : new Date(v)));
const stringMap = z
  .record(z.string(), z.string())
  .nullish()
  .transform((v) => v ?? {});

export const ownerReferenceSchema = z.object({
  apiVersion: z.string().nullish(),
  kind: z.string(),
  name: z.string(),
  uid: z.string().nullish(),
  controller: z.boolean().nullish(),
});
export type OwnerReference = z.infer<typeof ownerReferenceSchema>;

export const objectMetaSchema = z.object({
  name: z.string(),
  namespace: z.string().nullish(),
  uid: z.string().nullish(),
  resourceVersion: z.string().nullish(),
  labels: stringMap,
  annotations: stringMap,
  ownerReferences: z.array(ownerReferenceSchema).nullish(),
  creationTimestamp: time,
  deletionTimestamp: time,
});

const containerSpecSchema = z.object({
  name: z.string(),
  image: z.string().nullish(),
  /** `Always` on an init container makes it a sidecar (KEP-753, Kubernetes 1.28+). */
  restartPolicy: z.string().nullish(),
});

const containerStateSchema = z.object({
  running: z.object({ startedAt: time }).nullish(),
  waiting: z.object({ reason: z.string().nullish() }).nullish(),
  terminated: z
    .object({
      startedAt: time,
      finishedAt: time,
      exitCode: z.number().nullish(),
      reason: z.string().nullish(),
    })
    .nullish(),
});

const containerStatusSchema = z.object({
  name: z.string(),
  image: z.string().nullish(),
  imageID: z.string().nullish(),
  containerID: z.string().nullish(),
  restartCount: z.number().nullish(),
  state: containerStateSchema.nullish(),
});
export type ContainerStatus = z.infer<typeof containerStatusSchema>;

export const podSchema = z.object({
  metadata: objectMetaSchema,
  spec: z.object({
    nodeName: z.string().nullish(),
    initContainers: z.array(containerSpecSchema).nullish(),
    containers: z.array(containerSpecSchema),
    ephemeralContainers: z.array(containerSpecSchema).nullish(),
  }),
  status: z
    .object({
      phase: z.string().nullish(),
      initContainerStatuses: z.array(containerStatusSchema).nullish(),
      containerStatuses: z.array(containerStatusSchema).nullish(),
      ephemeralContainerStatuses: z.array(containerStatusSchema).nullish(),
    })
    .nullish(),
});
export type Pod = z.infer<typeof podSchema>;

export const nodeSchema = z.object({
  metadata: objectMetaSchema,
  status: z
    .object({
      nodeInfo: z
        .object({
          operatingSystem: z.string().nullish(),
          architecture: z.string().nullish(),
          kernelVersion: z.string().nullish(),
          containerRuntimeVersion: z.string().nullish(),
        })
        .nullish(),
    })
    .nullish(),
});
export type Node = z.infer<typeof nodeSchema>;

export const namespaceSchema = z.object({ metadata: objectMetaSchema });
export type Namespace = z.infer<typeof namespaceSchema>;

/** ReplicaSets and Jobs: only who owns them matters. */
export const ownedObjectSchema = z.object({ metadata: objectMetaSchema });
export type OwnedObject = z.infer<typeof ownedObjectSchema>;
