// Public API of image identity: the reference grammar, typed errors, image sources (registry,
// OCI layout, OCI archive, docker-save archive), platform selection and the registry client.
export {
  type CredentialResolver,
  type CredentialSources,
  type Credentials,
  credentialResolver,
  type RegistryAuthEntry,
  runCredentialHelper,
} from './client/credentials.js';
export {
  pullScope,
  RegistryClient,
  type RegistryClientOptions,
  RegistryClients,
} from './client/registry-client.js';
export {
  headTagDigest,
  openRegistrySource,
  RegistrySource,
  type RegistrySourceOptions,
} from './client/registry-source.js';
export { digestOf, VerifyingStream, verifyBytes, verifyStream } from './digest-stream.js';
export * from './errors.js';
export { type ListRegistryOptions, listRegistry, type RegistryListing } from './list-registry.js';
export {
  DOCKER_LIST,
  DOCKER_MANIFEST,
  isIndexType,
  isManifestType,
  MANIFEST_ACCEPT,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types.js';
export {
  type OpenImageSourceOptions,
  openImageSource,
  type SourceKind,
  sourceKind,
} from './open-image-source.js';
export {
  compatibleVariants,
  DEFAULT_PLATFORM,
  formatPlatform,
  isAttestation,
  normalisePlatform,
  parsePlatform,
  selectPlatform,
} from './platform.js';
export {
  canonicalName,
  DEFAULT_TAG,
  DOCKER_HUB,
  digestProblem,
  familiarName,
  familiarReference,
  formatReference,
  isDigest,
  isReference,
  normaliseReference,
  parseDigest,
  parseReference,
  registryEndpointHost,
  withDefaultTag,
} from './reference.js';
export {
  type ImageResolution,
  type ResolveImageIdentityOptions,
  resolveImageIdentity,
} from './resolve-image-identity.js';
