import { NobleHasher } from '../../src/adapters/crypto/noble-hasher';
import { hasherContract } from './hasher.contract';

hasherContract('@noble/hashes (pure JS reference)', () => new NobleHasher());
