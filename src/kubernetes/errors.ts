// The error a Kubernetes API call ends with: what was asked, of which server, the HTTP status and the
// server's own explanation, so each caller can phrase its advice around it.
import { RunsightError } from '../core/errors.js';

/** A Kubernetes API call failed; `status` is the HTTP status (410 = resourceVersion too old). */
export class KubernetesApiError extends RunsightError {
  override readonly name: string = 'KubernetesApiError';
  /** The server's reason alone (its Status message, or the transport error), without advice. */
  readonly detail: string;
  constructor(
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown; detail?: string | undefined },
  ) {
    super(message, options);
    this.detail = options?.detail ?? message;
  }
}
