// Test support: validates a document against the official CycloneDX 1.6 JSON schema (strict), as
// bundled by @cyclonedx/cyclonedx-library (its JsonStrictValidator, on ajv). Null when valid.
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

export async function cycloneDxSchemaErrors(doc: unknown): Promise<unknown> {
  return new Validation.JsonStrictValidator(Spec.Version.v1dot6).validate(JSON.stringify(doc));
}
