// Public API of image identity: the reference grammar, typed errors, image sources (registry,
// OCI layout, OCI archive, docker-save archive), platform selection and the registry client.
export * from './errors.js';
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
