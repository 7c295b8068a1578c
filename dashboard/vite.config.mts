/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// The config is run from the repository root (`vite build --config dashboard/vite.config.ts`), so
// every path is anchored to this file rather than to the working directory.
const dashboardDir = fileURLToPath(new URL('.', import.meta.url));
const eventsFile = fileURLToPath(new URL('../backend/src/realtime/events.ts', import.meta.url));
const stockApiFile = fileURLToPath(new URL('../backend/src/stock/stock-api.ts', import.meta.url));
const coverageApiFile = fileURLToPath(new URL('../backend/src/coverage/coverage-api.ts', import.meta.url));
const nvrApiFile = fileURLToPath(new URL('../backend/src/nvr/nvr-api.ts', import.meta.url));
const backend = 'http://127.0.0.1:3000';

export default defineConfig({
  root: dashboardDir,
  plugins: [
    vue({
      // Nothing here uses the Options API; dropping it makes Vue's runtime smaller.
      features: { optionsAPI: false },
    }),
  ],
  resolve: {
    // One event map shared with the gateway (backend/src/realtime/events.ts), and the stock API's
    // response shapes (backend/src/{stock,coverage,nvr}/*-api.ts): types the backend and the
    // dashboard share.
    alias: {
      '@events': eventsFile,
      '@stock-api': stockApiFile,
      '@coverage-api': coverageApiFile,
      '@nvr-api': nvrApiFile,
    },
  },
  define: {
    // vue-i18n in composition mode only: lets the bundler drop the legacy API.
    __VUE_I18N_FULL_INSTALL__: true,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
  },
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/socket.io': { target: backend, ws: true },
    },
  },
  build: {
    outDir: '../dist/dashboard',
    emptyOutDir: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            // The app shell's libraries in one cacheable chunk. Chart.js is left out on purpose:
            // it stays in the lazily loaded chart chunk, after the timebook has shown data; so is
            // the XLSX writer (and its zip library), loaded only when someone exports.
            {
              name: 'vendor',
              test: /node_modules[\\/](?!chart\.js|vue-chartjs|@kurkle|write-excel-file|fflate)/,
            },
          ],
        },
      },
    },
  },
  test: {
    environment: 'happy-dom',
    // Relative to `root` (dashboard/), i.e. dashboard/src/**/*.spec.ts.
    include: ['src/**/*.spec.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
