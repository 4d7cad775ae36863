import { NodeHasher } from '../../src/adapters/crypto/node-hasher';
import { hasherContract } from './hasher.contract';

hasherContract('node:crypto', () => new NodeHasher());
