/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  server: {
    port: 5173,
    // The dev server forwards API calls to the backend started by scripts/run.
    proxy: {
      '/api': process.env.RAPPORT_API ?? 'http://localhost:8080',
      '/docs': process.env.RAPPORT_API ?? 'http://localhost:8080',
    },
  },
  build: {
    target: 'es2022',
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
})
