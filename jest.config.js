// Two projects: "unit" (unit, golden, interop, integration: everything that runs on the machine's Node)
// and "e2e" (drives a real n8n; slow). The e2e project's globalSetup installs that n8n with
// scripts/n8n-runtime.sh when it is missing (progress every 15 s) and builds dist/ when it is stale; it runs only
// when e2e tests are selected. The queue-mode suite (test/queue/) has its own config: npm run test:queue.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true }];
const common = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleFileExtensions: ['ts', 'js', 'json'],
  setupFiles: ['<rootDir>/test/helpers/fast-check-seed.ts'],
};
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/lib/**/*.test.ts'],
      testPathIgnorePatterns: ['<rootDir>/test/e2e/', '<rootDir>/test/queue/'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
    },
  ],
};
