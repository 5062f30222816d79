/** @type {import('jest').Config} */
// Tests run against the real Redis and Postgres; every test file isolates itself
// (own database, own queue prefix), so files may run in parallel.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.base.json' }] },
  maxWorkers: process.env.CI ? 2 : '50%',
  testTimeout: 30000,
  setupFiles: ['<rootDir>/test/setup-env.js'],
};
