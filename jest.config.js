// Backend tests. `unit`: pure logic next to the code. `integration`: real PostgreSQL and Redis,
// in a database of their own (scripts/test.mjs creates and migrates it).
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests start real servers; a hung test fails after this, not after 5 s.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      // The generated Prisma client imports its own .ts files as './x.js'.
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      transform: { '^.+\\.ts$': swc },
      testMatch: ['<rootDir>/backend/src/**/*.spec.ts', '<rootDir>/prisma/seed/**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      // The generated Prisma client imports its own .ts files as './x.js'.
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      // content-disposition 3 (under @fastify/static) ships only ESM; Jest on Node 20 cannot require it.
      transform: { '^.+\\.ts$': swc, '/node_modules/content-disposition/.+\\.js$': swc },
      transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/tests/integration/global-setup.ts',
    },
  ],
};
