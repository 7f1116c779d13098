import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { vendorFiles } from './vendor-files.plugin.mjs';
import { zxingWasm } from './zxing-wasm.plugin.mjs';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** The pharmacist's pages, served by the API under /scan from dist/web (see apps/api/src/web). */
export default defineConfig({
  root: here('.'),
  base: '/scan/',
  publicDir: false,
  logLevel: 'warn',
  plugins: [vendorFiles(), zxingWasm()],
  build: {
    outDir: here('../../dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // bwip-js's encoder (~0.9 MB) is loaded by the self-test page only; the scan page stays small.
    chunkSizeWarningLimit: 1024,
    rollupOptions: { input: { scan: here('index.html'), 'self-test': here('self-test.html'), explorer: here('explorer.html') } },
  },
});
