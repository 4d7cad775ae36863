export * from './artifact-cache';
export * from './artifact-source';
export * from './clock';
export * from './decryptor';
export * from './hasher';
export * from './signature-verifier';
export * from './telemetry';
export * from './fleet-lease';
