/** MemorySource's test-facing controls (the contract covers its fetch semantics). */
import { MemorySource } from '../../../src/adapters/memory/memory-source';
import { AgentError } from '../../../src/domain/errors';

const poll = (s: MemorySource, signal = new AbortController().signal) => s.fetch({ signal });

it('fails with the injected error until the next publish', async () => {
  const s = new MemorySource({ document: '{}' });
  const error = new AgentError('source_unavailable', 'down');
  s.fail(error);
  await expect(poll(s)).rejects.toBe(error);
  await expect(poll(s)).rejects.toBe(error);
  s.publish('{"v":2}');
  expect(await poll(s)).toMatchObject({ kind: 'fetched', document: '{"v":2}' });
  expect(s.fetchCount).toBe(3);
});

it('hangs until the caller aborts, then rejects with the abort reason', async () => {
  const s = new MemorySource({ document: '{}' });
  s.hang();
  const ac = new AbortController();
  const pending = poll(s, ac.signal);
  const reason = new Error('stop');
  ac.abort(reason);
  await expect(pending).rejects.toBe(reason);
});

it('namespaces its cache key by name', () => {
  expect(new MemorySource({ name: 'a' }).cacheKey).not.toBe(new MemorySource({ name: 'b' }).cacheKey);
  expect(new MemorySource({ name: 'a' }).cacheKey).toBe(new MemorySource({ name: 'a' }).cacheKey);
});
