/** HTTP over a unix domain socket (`http.request({socketPath})`), for the socket listener tests. */
import { sendRequest, type HttpReply } from './agent-process';

export function socketGet(socketPath: string, urlPath: string, headers: Record<string, string> = {}): Promise<HttpReply> {
  // Without an explicit Host, node sends `Host: localhost`, as curl --unix-socket does.
  return sendRequest({ socketPath, path: urlPath, headers, agent: false });
}

/** Polls until the agent answers /v1/health over the socket (no fixed sleep). */
export async function waitSocketHealth(socketPath: string, timeoutMs = 15_000, diagnostics: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await socketGet(socketPath, '/v1/health')).status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no answer on ${socketPath}\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
