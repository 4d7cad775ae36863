/**
 * Reads a GetObject body under the size cap: the declared Content-Length is checked
 * first, then bytes are counted while streaming, so a lying or absent length cannot make
 * the agent buffer more than maxBytes + one chunk. Over the cap, or on abort, the stream
 * is destroyed (closing the socket instead of draining it).
 */
import { AgentError, isAgentError } from '../../domain/errors';

type Body = AsyncIterable<Uint8Array> & { destroy?: (error?: Error) => void };

export function destroyBody(body: unknown): void {
  (body as Body | undefined)?.destroy?.();
}

export async function readCapped(body: unknown, declared: number | undefined, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
  const stream = body as Body | undefined;
  const tooLarge = () => new AgentError('source_too_large', `source document exceeds ${maxBytes} bytes`);
  if (declared !== undefined && declared > maxBytes) {
    destroyBody(stream);
    throw tooLarge();
  }
  if (!stream) return Buffer.alloc(0);
  const onAbort = () => destroyBody(stream);
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      total += chunk.byteLength;
      if (total > maxBytes) {
        destroyBody(stream);
        throw tooLarge();
      }
      chunks.push(chunk);
    }
  } catch (e) {
    if (isAgentError(e)) throw e;
    if (signal.aborted) throw signal.reason;
    const code = (e as { code?: unknown })?.code;
    throw new AgentError('source_unavailable', `source connection failed while reading${typeof code === 'string' && /^E[A-Z_]{2,20}$/.test(code) ? ` (${code})` : ''}`);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks, total);
}
