import { defineConfig } from 'vitest/config';

// Plain Vite: JSX goes through the built-in transformer with Preact's automatic runtime.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { target: 'es2020', sourcemap: false, assetsInlineLimit: 0 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  test: { include: ['tests/**/*.test.ts'], environment: 'node' },
});
