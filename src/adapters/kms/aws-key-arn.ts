/** Helpers on AWS KMS key identifiers (envelope.keyId). Key ARNs are not secret. */

/** Quoted and bounded, so a hostile artifact cannot flood logs through an error message. */
export function describeKey(keyId: string): string {
  return JSON.stringify(keyId.length > 200 ? `${keyId.slice(0, 200)}…` : keyId);
}

/**
 * Region of a KMS key or alias ARN (`arn:aws[-partition]:kms:<region>:<account>:key/…`).
 * Undefined for bare key ids and alias names: the SDK's own region chain applies then.
 * Taking it from the ARN (not AWS_REGION) is what makes cross-region keys work (DIFFERENCES.md W8).
 */
export function regionFromKeyArn(keyId: string): string | undefined {
  const m = /^arn:aws(?:-[a-z0-9-]+)?:kms:([a-z0-9-]+):[0-9]{12}:(?:key|alias)\//.exec(keyId);
  return m?.[1];
}
