/** Jest runs the TypeScript sources through ts-jest. age-encryption and its
 * @noble / @scure dependencies ship ESM only, so they are transformed too; so are gaxios
 * (google-auth-library's HTTP layer, whose CommonJS build `import()`s node-fetch) and
 * node-fetch v3 with its ESM dependencies. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(age-encryption|@noble|@scure|gaxios|node-fetch|fetch-blob|formdata-polyfill|data-uri-to-buffer)/)'],
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/global-setup.js',
  // Backstop only: every suite closes its servers and processes, but a stray handle in a
  // third-party client must never hang CI after the results are in.
  forceExit: true,
};
