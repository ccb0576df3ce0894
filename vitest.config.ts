import { defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Three projects: pure logic and extension code (WXT plugin, fake browser), the server (plain Node,
// real sockets and databases) and end-to-end (real browsers with the built extension).
export default defineConfig({
  test: {
    projects: [
      {
        // The WXT plugin does not compile Solid JSX in tests; vite-plugin-solid does.
        plugins: [WxtVitest(), solid()],
        test: {
          name: 'extension',
          include: [
            'lib/**/*.test.ts',
            'entrypoints/**/*.test.ts',
            'components/**/*.test.ts',
            'components/**/*.test.tsx',
            'test/unit/**/*.test.ts',
          ],
          environment: 'happy-dom',
        },
      },
      {
        // lib/anchoring in real headless Chromium (playwright-core, system browser).
        test: {
          name: 'browser',
          include: ['test/anchoring-browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'server',
          include: ['server/**/*.test.ts', 'test/server/**/*.test.ts', 'bench/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        // Real browsers against the real server: one file at a time, generous timeouts.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
