// The queue-mode suite (issue 15): Postgres + Redis + n8n main/webhook/2 workers, long-running, many processes.
// Not part of `npm test`; run with `npm run test:queue` (.ci/run does). Counts and timeouts via env, see
// test/queue/queue-mode.test.ts. Shares the e2e globalSetup (installs the n8n runtime, builds dist/ when stale).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true }];
module.exports = {
  projects: [
    {
      displayName: 'queue',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      moduleFileExtensions: ['ts', 'js', 'json'],
      setupFiles: ['<rootDir>/test/helpers/fast-check-seed.ts'],
      testMatch: ['<rootDir>/test/queue/**/*.test.ts'],
      globalSetup: '<rootDir>/test/e2e/global-setup.ts',
    },
  ],
};
