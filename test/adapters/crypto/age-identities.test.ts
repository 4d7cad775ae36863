import { generateHybridIdentity, generateIdentity, identityToRecipient } from 'age-encryption';
import { bech32 } from '@scure/base';
import { readFileSync } from 'node:fs';
import {
  AgeKeyError,
  loadAgeIdentities,
  parseAgeIdentities,
  checkAgeIdentities,
} from '../../../src/adapters/crypto/age-identities';
import { AGE_KEY_FILE, vectorAgeIdentity } from '../../support/vectors';

/** Runs `fn` and returns the error it throws (sync or async). */
async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('parseAgeIdentities', () => {
  it('reads the shared vector key file (comments + one identity)', () => {
    expect(parseAgeIdentities(readFileSync(AGE_KEY_FILE, 'utf8'))).toEqual([vectorAgeIdentity()]);
  });

  it('returns several identities in order, skipping comments, blank lines, CRLF and indentation', async () => {
    const [a, b] = [await generateIdentity(), await generateIdentity()];
    const text = `# created: 2026-05-01\r\n# public key: age1xyz\r\n${a}\r\n\r\n   \n  # retired key below\n  ${b}  \n`;
    expect(parseAgeIdentities(text)).toEqual([a, b]);
  });

  it('drops duplicates', async () => {
    const a = await generateIdentity();
    expect(parseAgeIdentities(`${a}\n${a}\n`)).toEqual([a]);
  });

  it('accepts post-quantum hybrid identities', async () => {
    const pq = await generateHybridIdentity();
    expect(parseAgeIdentities(`# hybrid\n${pq}\n`)).toEqual([pq]);
  });

  it.each([
    ['an empty file', ''],
    ['only whitespace', ' \n\t\n'],
    ['only comments', '# created: 2026-05-01\n# public key: age1abc\n'],
  ])('rejects %s with AgeKeyError', async (_label, text) => {
    expect(await thrown(() => parseAgeIdentities(text))).toBeInstanceOf(AgeKeyError);
  });

  it('rejects a line that is not an identity, naming the line but not its content', async () => {
    const good = await generateIdentity();
    const err = await thrown(() => parseAgeIdentities(`# c\n${good}\nnot-a-key-sekrit\n`));
    expect(err).toBeInstanceOf(AgeKeyError);
    expect(err.message).toContain('line 3');
    expect(err.message).not.toContain('sekrit');
    expect(err.message).not.toContain(good);
  });

  it('rejects a lower-case identity and a public recipient pasted by mistake', async () => {
    const id = await generateIdentity();
    expect(await thrown(() => parseAgeIdentities(id.toLowerCase()))).toBeInstanceOf(AgeKeyError);
    const recipient = await identityToRecipient(id);
    expect(await thrown(() => parseAgeIdentities(recipient))).toBeInstanceOf(AgeKeyError);
  });
});

describe('checkAgeIdentities / loadAgeIdentities', () => {
  it('accepts X25519 and hybrid identities', async () => {
    const a = await generateIdentity();
    const pq = await generateHybridIdentity();
    expect(() => checkAgeIdentities([a, pq])).not.toThrow();
    expect(loadAgeIdentities(`${a}\n${pq}\n`)).toEqual([a, pq]);
  });

  it('rejects a well-formed bech32 string whose key is not 32 bytes, and a hybrid key with a bad checksum', async () => {
    const short = bech32.encode('age-secret-key-', bech32.toWords(new Uint8Array(31).fill(7)), false).toUpperCase();
    expect(parseAgeIdentities(short)).toEqual([short]);
    expect(await thrown(() => loadAgeIdentities(short))).toBeInstanceOf(AgeKeyError);
    const pq = await generateHybridIdentity();
    const corrupted = `${pq.slice(0, -1)}${pq.at(-1) === 'Q' ? 'P' : 'Q'}`;
    const err = await thrown(() => loadAgeIdentities(`${corrupted}\n`));
    expect(err).toBeInstanceOf(AgeKeyError);
    expect(err.message).toContain('1');
    expect(err.message).not.toContain(corrupted.slice(20, 40));
  });

  it('rejects an identity with a bad checksum without quoting it', async () => {
    const good = await generateIdentity();
    // Change one data character: still bech32 characters, so the syntax check passes.
    const last = good.at(-1) === 'Q' ? 'P' : 'Q';
    const corrupted = `${good.slice(0, -1)}${last}`;
    expect(parseAgeIdentities(corrupted)).toEqual([corrupted]);
    const err = await thrown(() => loadAgeIdentities(`${good}\n${corrupted}\n`));
    expect(err).toBeInstanceOf(AgeKeyError);
    expect(err.message).toContain('2');
    expect(err.message).not.toContain(corrupted.slice(16, 40));
    expect(err.message).not.toContain(good.slice(16, 40));
  });

  it('rejects a truncated identity', async () => {
    const good = await generateIdentity();
    expect(await thrown(() => loadAgeIdentities(good.slice(0, 40)))).toBeInstanceOf(AgeKeyError);
  });

  it('rejects an empty list', async () => {
    expect(await thrown(() => checkAgeIdentities([]))).toBeInstanceOf(AgeKeyError);
  });

  it('loads the shared vector key file', async () => {
    expect(loadAgeIdentities(readFileSync(AGE_KEY_FILE, 'utf8'))).toEqual([vectorAgeIdentity()]);
  });
});
