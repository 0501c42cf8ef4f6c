import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Till keys go to a temp folder per worker, not the tester's home (test/setup-env.ts).
    setupFiles: ['test/setup-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser and chain tests start real processes (Chromium, anvil); two cores here, so keep workers modest.
    maxWorkers: 2
  }
})
