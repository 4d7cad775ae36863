/** ARTIFACT.md §13.1 Example A, verbatim. Its wrappedKey is a dummy blob: the fake KMS
 * is told to unwrap it to the DEK below. */
export const EXAMPLE_A_PLAINTEXT =
  '{"api":{"DB_URL":"postgres://db.internal:5432/app","STRIPE_KEY":"sk_test_123"},"shared":{"LOG_LEVEL":"info"}}';
export const EXAMPLE_A_DEK_HEX = '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f';
export const EXAMPLE_A_WRAPPED_KEY = 'AQIDAHh0ZXN0LW9ubHktbm90LWEtcmVhbC1rbXMtYmxvYg==';

export const EXAMPLE_A_DOCUMENT = `{
  "version": 1,
  "identity": "api-gateway",
  "environment": "production",
  "packedAt": "2026-05-01T12:00:00.000Z",
  "revision": "1777636800000-1a2b3c4d",
  "ciphertextHash": "7724a7472287dd775d6758e73fa86a2a53ceec42622913e4319c2f3dbb5afc72",
  "ciphertext": "PCC3a6zH+GCvBdXU5Ls0T7n091uDDzgOXRTfqjINYpxoftqZ3a9z9E6RS966qElInntMrwmC8ZNv0nVSXbrX1NJPrSWntFUVQ2WYXc3yIspL4qgQEwdxUobf0oM/r/XInb0VxJ5joXT4cxzPNQ==",
  "envelope": {
    "provider": "aws",
    "keyId": "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555",
    "wrappedKey": "AQIDAHh0ZXN0LW9ubHktbm90LWEtcmVhbC1rbXMtYmxvYg==",
    "algorithm": "SYMMETRIC_DEFAULT",
    "iv": "AAECAwQFBgcICQoL",
    "authTag": "Wwda6I4AZWcCDqQ4mDONcg=="
  },
  "expiresAt": "2026-05-01T13:00:00.000Z",
  "signature": "SoxzdP1/sOJgIHENzraAj1muzH5ethVs0Qjfs8NOoy3tHK5JOai6MXqQ8EpzEfkBouPhpgY010uuPwVdEevNDQ==",
  "signatureAlgorithm": "Ed25519"
}`;
