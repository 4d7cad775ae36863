import type { IncomingMessage } from 'node:http';
import { AgentError } from '../../../domain/errors';

/**
 * A loopback sidecar is never legitimately reached through a proxy: the workload calls
 * it directly. A request carrying `Forwarded` / `X-Forwarded-For` was relayed, which is
 * the signature of an SSRF pivot (a server-side fetcher on the same host being steered
 * at 127.0.0.1) or of a misdeployment exposing the agent. The AWS Secrets Manager agent
 * refuses such requests the same way. Likewise an absolute-form target
 * (`GET http://host/...`) is proxy syntax, and its authority would override Host
 * (RFC 9112 §3.2.2); `*` (asterisk-form) is meaningless here.
 *
 * Throws 400 forwarded_request / 400 bad_request; run by request-guard.ts.
 */
export function checkNotProxied(req: IncomingMessage): void {
  if (req.headers.forwarded !== undefined || req.headers['x-forwarded-for'] !== undefined) {
    throw new AgentError('forwarded_request', 'forwarded requests are not accepted');
  }
  const url = req.url;
  if (url === undefined || url.charCodeAt(0) !== 0x2f /* "/" */) {
    throw new AgentError('bad_request', 'bad request: origin-form target required');
  }
}
