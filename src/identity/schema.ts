// zod schemas for every external payload image identity reads: OCI/Docker manifests, indexes and
// image configs (OCI image-spec), docker-save manifest.json, registry token, tag list and catalog
// responses (distribution-spec), Docker's config.json and credential-helper output.
import { z } from 'zod';

const digest = z.string().regex(/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/, 'a digest algorithm:hex');
const annotations = z.record(z.string(), z.string()).nullish();

export const platformSchema = z.looseObject({
  architecture: z.string(),
  os: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
  'os.features': z.array(z.string()).optional(),
  features: z.array(z.string()).optional(),
});

export const descriptorSchema = z.looseObject({
  mediaType: z.string().optional(),
  digest,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).nullish(),
  annotations,
  platform: platformSchema.optional(),
  artifactType: z.string().optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const indexSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  annotations,
});
export type ImageIndex = z.infer<typeof indexSchema>;

export const manifestSchema = z.looseObject({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  annotations,
});
export type ImageManifest = z.infer<typeof manifestSchema>;

export const imageConfigSchema = z.looseObject({
  os: z.string(),
  architecture: z.string(),
  variant: z.string().optional(),
  'os.version': z.string().optional(),
  created: z.string().optional(),
  rootfs: z.looseObject({ type: z.string(), diff_ids: z.array(digest) }),
  config: z
    .looseObject({
      Labels: z.record(z.string(), z.string()).nullish(),
      Env: z.array(z.string()).nullish(),
    })
    .nullish(),
  history: z
    .array(z.looseObject({ created_by: z.string().optional(), empty_layer: z.boolean().optional() }))
    .nullish(),
});

/** `docker save` manifest.json: one entry per image. */
export const dockerArchiveManifestSchema = z.array(
  z.looseObject({
    Config: z.string(),
    RepoTags: z.array(z.string()).nullish(),
    Layers: z.array(z.string()),
  }),
);

/** The OCI image layout marker file. */
export const ociLayoutSchema = z.looseObject({ imageLayoutVersion: z.string() });

/** Token endpoint response (distribution token auth spec): `token` or `access_token`. */
export const tokenResponseSchema = z
  .looseObject({
    token: z.string().optional(),
    access_token: z.string().optional(),
    expires_in: z.number().optional(),
    issued_at: z.string().optional(),
  })
  .refine((t) => Boolean(t.token ?? t.access_token), 'a token or access_token field');

export const tagListSchema = z.looseObject({ name: z.string(), tags: z.array(z.string()).nullable() });
export const catalogSchema = z.looseObject({ repositories: z.array(z.string()).nullable() });

/** distribution-spec error body: {"errors":[{"code","message","detail"}]}. */
export const errorBodySchema = z.looseObject({
  errors: z.array(z.looseObject({ code: z.string(), message: z.string().optional() })),
});

/** ~/.docker/config.json, the parts that hold credentials. */
export const dockerConfigSchema = z.looseObject({
  auths: z
    .record(
      z.string(),
      z.looseObject({
        auth: z.string().optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        identitytoken: z.string().optional(),
        registrytoken: z.string().optional(),
      }),
    )
    .optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});

/** docker-credential-<helper> get output. */
export const credentialHelperSchema = z.looseObject({
  ServerURL: z.string().optional(),
  Username: z.string(),
  Secret: z.string(),
});
