import { createHash } from 'node:crypto';

/** Lowercase hex SHA-256 of bytes (or the UTF-8 bytes of a string). Used for content ids
 * of sources without a native one and for credential-free cache keys. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Git's blob id (`sha1("blob <len>\0" + bytes)`): equals the blob SHA GitHub and GitLab
 * report for the file in SHA-1 repositories, so it is comparable across providers. */
export function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}
