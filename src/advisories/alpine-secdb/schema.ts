// Alpine's security database (https://secdb.alpinelinux.org/<release>/<repo>.json, same shape in
// YAML): per origin package, fixed version → the CVE ids it fixes. A fixed version of "0" means the
// package was never affected.
import { z } from 'zod';

export const secdbFile = z.looseObject({
  distroversion: z.string().regex(/^v?\d+\.\d+|^edge$/, 'expected a release such as v3.18'),
  reponame: z.string().optional(),
  packages: z.array(
    z.looseObject({
      pkg: z.looseObject({
        name: z.string().min(1),
        secfixes: z.record(z.string(), z.array(z.string()).nullable()).nullish(),
      }),
    }),
  ),
});

export type SecdbFile = z.infer<typeof secdbFile>;
