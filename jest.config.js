// Two tiers, one run: `unit` (*.unit.test.ts: pure functions and file checks, no Redis, Postgres
// or HTTP, seconds) and `integration` (every other *.test.ts: real Redis and Postgres, each file
// isolated by its own database and queue prefix, so files may run in parallel).
// `npm test` runs both; `npm run test:unit` (jest --selectProjects unit) the first alone.
const path = require('node:path');
const ts = require('typescript');
const { pathsToModuleNameMapper } = require('ts-jest');

// Workspaces resolve to their TypeScript source in tests, by the same `paths` tsc and tsx use
// (tsconfig.json); package.json main/exports point at the compiled dist/ for `node`.
const tsconfigPath = path.join(__dirname, 'tsconfig.json');
const { config: tsconfig, error } = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));

const common = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/packages', '<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: tsconfigPath }] },
  moduleNameMapper: pathsToModuleNameMapper(tsconfig.compilerOptions.paths, { prefix: '<rootDir>/' }),
  setupFiles: ['<rootDir>/test/setup-env.js'],
  // Compiled output is for `node`; tests always run the source.
  modulePathIgnorePatterns: ['<rootDir>/(apps|packages)/[^/]+/dist/'],
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: process.env.CI ? 2 : '50%',
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/test/**/*.unit.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/test/**/*.test.ts'],
      testPathIgnorePatterns: ['\\.unit\\.test\\.ts$', '/node_modules/'],
      // Tags this run's Redis key prefixes, and fails the run if any key of it is left behind (test/redis-keys.ts).
      globalSetup: '<rootDir>/test/redis-keys.global-setup.ts',
      globalTeardown: '<rootDir>/test/redis-keys.global-teardown.ts',
    },
  ],
};
