import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Three projects: pure logic and extension code (WXT plugin, fake browser), and the server
// (plain Node, real sockets and databases).
export default defineConfig({
  test: {
    projects: [
      {
        plugins: [WxtVitest()],
        test: {
          name: 'extension',
          include: [
            'lib/**/*.test.ts',
            'entrypoints/**/*.test.ts',
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
          include: ['server/**/*.test.ts', 'test/server/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
