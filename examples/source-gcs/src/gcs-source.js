/**
 * An ArtifactSource reading the packed artifact from a Google Cloud Storage object with
 * the official client (@google-cloud/storage). Proven by clef-agent's contract suite
 * (test/gcs-source.test.js).
 *
 * Conditional fetches: a poll reads the object's metadata only; the object is downloaded,
 * pinned to the generation just seen, when its generation differs from the one last
 * accepted (the validator the agent hands back). Every failure is an AgentError with a
 * `source_*` code; messages name the object, never credentials.
 */
import { AgentError } from 'clef-agent/ports';

/** @typedef {import('clef-agent/ports').ArtifactSource} ArtifactSource */
/** @typedef {import('clef-agent/ports').FetchRequest} FetchRequest */
/** @typedef {import('clef-agent/ports').FetchResult} FetchResult */

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** @implements {ArtifactSource} */
export class GcsSource {
  type = 'gcs';
  capabilities = { conditional: true };

  /**
   * @param {object} options
   * @param {import('@google-cloud/storage').Storage} options.storage a client (credentials, endpoint, retries are its own)
   * @param {string} options.bucket
   * @param {string} options.object the object name, e.g. `packed/api/production.age.json`
   * @param {number} [options.timeoutMs] per fetch, metadata and download together
   * @param {number} [options.maxBytes] refuse larger objects
   */
  constructor({ storage, bucket, object, timeoutMs = DEFAULT_TIMEOUT_MS, maxBytes = DEFAULT_MAX_BYTES }) {
    if (!bucket || !object) throw new TypeError('GcsSource needs a bucket and an object name');
    this.bucket = storage.bucket(bucket);
    this.object = object;
    this.timeoutMs = timeoutMs;
    this.maxBytes = maxBytes;
    this.description = `gs://${bucket}/${object}`;
    this.cacheKey = `gcs:${bucket}/${object}`;
  }

  /**
   * @param {FetchRequest} request
   * @returns {Promise<FetchResult>}
   */
  async fetch({ previous, signal }) {
    signal.throwIfAborted();
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new AgentError('source_timeout', `${this.description} did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    const stop = AbortSignal.any([signal, timeout.signal]);
    try {
      // The client cannot abort a request it has started: stop waiting for it instead.
      return await Promise.race([this.fetchOnce(previous, stop), rejectOnAbort(stop)]);
    } catch (e) {
      if (signal.aborted) throw signal.reason; // the caller's reason, as the port requires
      throw this.agentError(e);
    } finally {
      clearTimeout(timer);
    }
  }

  /** @param {FetchRequest['previous']} previous @param {AbortSignal} stop */
  async fetchOnce(previous, stop) {
    const [metadata] = await this.bucket.file(this.object).getMetadata();
    const generation = String(metadata.generation ?? '');
    if (!/^\d+$/.test(generation)) throw new AgentError('source_bad_response', `${this.description}: metadata without a generation`);
    if (previous?.contentId === generation) return { kind: 'unchanged' };
    if (Number(metadata.size) > this.maxBytes) throw tooLarge(this);
    const bytes = await this.download(generation, stop);
    let document;
    try {
      document = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new AgentError('source_bad_response', `${this.description} is not UTF-8 text`);
    }
    return { kind: 'fetched', document, contentId: generation, validator: { contentId: generation, etag: metadata.etag } };
  }

  /** Streams the pinned generation, stopping at maxBytes or when `stop` aborts. */
  async download(generation, stop) {
    // validation: false — the artifact carries its own integrity hash and signature,
    // which the agent checks before using anything.
    const stream = this.bucket.file(this.object, { generation: Number(generation) }).createReadStream({ validation: false });
    const onStop = () => stream.destroy();
    stop.addEventListener('abort', onStop, { once: true });
    const chunks = [];
    let size = 0;
    try {
      for await (const chunk of stream) {
        size += chunk.length;
        if (size > this.maxBytes) {
          stream.destroy();
          throw tooLarge(this);
        }
        chunks.push(chunk);
      }
    } finally {
      stop.removeEventListener('abort', onStop);
    }
    return Buffer.concat(chunks);
  }

  /** Client errors carry the HTTP status in `code`; their messages are not ours to repeat. */
  agentError(e) {
    if (e instanceof AgentError) return e;
    const status = typeof e.code === 'number' ? e.code : undefined;
    const where = this.description;
    if (status === 404) return new AgentError('source_not_found', `${where} does not exist`);
    if (status === 401 || status === 403) return new AgentError('source_auth', `${where}: access denied (${status})`, { hint: 'check the credentials and the storage.objects.get permission' });
    if (status === 429) return new AgentError('source_rate_limited', `${where}: rate limited`);
    if (status !== undefined && status >= 500) return new AgentError('source_unavailable', `${where}: GCS answered ${status}`);
    if (status !== undefined || e instanceof SyntaxError) return new AgentError('source_bad_response', `${where}: unexpected response${status ? ` (${status})` : ''}`);
    return new AgentError('source_unavailable', `${where}: GCS could not be reached`);
  }
}

function tooLarge(source) {
  return new AgentError('source_too_large', `${source.description} is larger than ${source.maxBytes} bytes`);
}

/** Rejects with the signal's reason once it aborts. */
function rejectOnAbort(signal) {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
