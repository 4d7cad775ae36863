/**
 * The call discipline every KMS unwrap shares (the AWS adapter has the same shape inline):
 * one call bounded by a deadline and the caller's signal, abandoned late results zeroed,
 * and bounded, abortable, jittered rounds while the provider says "slow down".
 */
import { AgentError, type ErrorCode } from '../../domain/errors';
import { abortableSleep, callSignal, jitteredBackoff, raceAbort } from './abort';

export interface UnwrapPolicyOptions {
  /** Bound on one call (the SDK's own retries included). Default 10 s. */
  callTimeoutMs?: number;
  /** Calls while the provider keeps throttling (or, where retryable, failing transiently). Default 3. */
  throttleRounds?: number;
  /** Backoff between rounds: full jitter on base·2^n, capped. Defaults 250 / 2000 ms. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  random?: () => number;
}

export type UnwrapPolicy = Required<UnwrapPolicyOptions>;

export function unwrapPolicy(options: UnwrapPolicyOptions = {}): UnwrapPolicy {
  return {
    callTimeoutMs: options.callTimeoutMs ?? 10_000,
    throttleRounds: Math.max(1, options.throttleRounds ?? 3),
    backoffBaseMs: options.backoffBaseMs ?? 250,
    backoffMaxMs: options.backoffMaxMs ?? 2_000,
    random: options.random ?? Math.random,
  };
}

export interface UnwrapCall {
  /** "GCP Cloud KMS decrypt for key \"…\"": names the operation in timeout/abort messages. */
  what: string;
  /** One attempt; must honour `signal`. Resolves with the data key (caller zeroes it). */
  send(signal: AbortSignal): Promise<Uint8Array>;
  /** Provider failure → AgentError with a kms_* code (never copying server text or tokens). */
  toError(e: unknown): AgentError;
  /** Codes worth another round. Default: only `kms_throttled`. */
  retryable?: (code: ErrorCode) => boolean;
}

/** A failure no further round may retry (deadline, caller abort). */
class Final {
  constructor(readonly error: AgentError) {}
}

export async function unwrapWithRetries(policy: UnwrapPolicy, call: UnwrapCall, signal?: AbortSignal): Promise<Uint8Array> {
  const retryable = call.retryable ?? ((code: ErrorCode) => code === 'kms_throttled');
  for (let round = 1; ; round++) {
    try {
      return await sendOnce(policy, call, signal);
    } catch (e) {
      if (e instanceof Final) throw e.error;
      const err = call.toError(e);
      if (!retryable(err.code) || round >= policy.throttleRounds) throw err;
      try {
        await abortableSleep(jitteredBackoff(round, policy.backoffBaseMs, policy.backoffMaxMs, policy.random), signal);
      } catch {
        throw aborted(call, signal);
      }
    }
  }
}

async function sendOnce(policy: UnwrapPolicy, call: UnwrapCall, caller?: AbortSignal): Promise<Uint8Array> {
  const deadline = callSignal(caller, policy.callTimeoutMs);
  let dek: Uint8Array;
  try {
    dek = await raceAbort(call.send(deadline.signal), deadline.signal, (late) => late.fill(0));
  } catch (e) {
    if (caller?.aborted) throw new Final(aborted(call, caller));
    if (deadline.timedOut()) {
      throw new Final(new AgentError('kms_network', `${call.what} timed out after ${policy.callTimeoutMs} ms`, { hint: 'KMS endpoint unreachable or slow' }));
    }
    throw e;
  } finally {
    deadline.dispose();
  }
  if (dek.length === 0) throw new Final(new AgentError('kms_unwrap', `${call.what} returned no plaintext`));
  return dek;
}

function aborted(call: UnwrapCall, signal?: AbortSignal): AgentError {
  return new AgentError('kms_network', `${call.what} was aborted by the caller`, { cause: signal?.reason });
}
