// zod schemas for the Docker Engine API responses the inventory reads (Engine API v1.41+; the
// fields are as in moby's api/swagger.yaml, also served by `podman system service`):
// GET /containers/json?all=1, GET /containers/{id}/json, GET /images/{id}/json, GET /info, and the
// GET /events stream. Unknown fields are ignored; a wrong type is a clear error.
import { z } from 'zod';

const labels = z
  .record(z.string(), z.string())
  .nullish()
  .transform((v) => v ?? {});

export const containerSummarySchema = z.object({
  Id: z.string(),
  Names: z.array(z.string()).nullish(),
  Image: z.string(),
  ImageID: z.string().nullish(),
  Created: z.number().nullish(),
  Labels: labels,
  State: z.string(),
  Status: z.string().nullish(),
});
export type ContainerSummary = z.infer<typeof containerSummarySchema>;
export const containerListSchema = z.array(containerSummarySchema);

const dockerTime = z
  .string()
  .nullish()
  .transform((v) => (v && !v.startsWith('0001-01-01') ? new Date(v) : undefined));

export const containerInspectSchema = z.object({
  Id: z.string(),
  Name: z.string().nullish(),
  Image: z.string().nullish(),
  RestartCount: z.number().nullish(),
  Platform: z.string().nullish(),
  State: z
    .object({
      Status: z.string().nullish(),
      StartedAt: dockerTime,
      FinishedAt: dockerTime,
    })
    .nullish(),
  Config: z.object({ Image: z.string().nullish(), Labels: labels }).nullish(),
});
export type ContainerInspect = z.infer<typeof containerInspectSchema>;

export const imageInspectSchema = z.object({
  Id: z.string(),
  RepoTags: z.array(z.string()).nullish(),
  RepoDigests: z.array(z.string()).nullish(),
  Os: z.string().nullish(),
  Architecture: z.string().nullish(),
  Variant: z.string().nullish(),
  OsVersion: z.string().nullish(),
});
export type ImageInspect = z.infer<typeof imageInspectSchema>;

export const infoSchema = z.object({
  Name: z.string().nullish(),
  OSType: z.string().nullish(),
  Architecture: z.string().nullish(),
  ServerVersion: z.string().nullish(),
});
export type Info = z.infer<typeof infoSchema>;

export const eventSchema = z.object({
  Type: z.string().nullish(),
  Action: z.string().nullish(),
  status: z.string().nullish(),
  id: z.string().nullish(),
  Actor: z.object({ ID: z.string().nullish(), Attributes: labels }).nullish(),
  time: z.number().nullish(),
  timeNano: z.number().nullish(),
});
export type DockerEvent = z.infer<typeof eventSchema>;
