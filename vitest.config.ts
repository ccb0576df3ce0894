import { defineConfig } from 'vitest/config';
import { WxtVitest } from 'wxt/testing/vitest-plugin';

// Projects: pure logic and extension code (WXT plugin, fake browser), the server (plain Node,
// real sockets and databases), and the admin dashboard in real Chromium.
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
        test: {
          name: 'server',
          include: ['server/**/*.test.ts', 'test/server/**/*.test.ts'],
          environment: 'node',
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'dashboard',
          include: ['test/dashboard/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
