import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);

/** Where the scan page loads zxing's WebAssembly from (camera.scanner.ts WASM_BASE), relative to dist/web. */
export const ZXING_WASM_FILE = 'zxing/zxing_reader.wasm';

/**
 * Copies zxing-wasm's reader binary into dist/web/zxing/ at build time, so the API serves it from the build
 * (apps/api/src/web/web-assets.service.ts) and the runtime image needs no zxing-wasm package.
 */
export function zxingWasm(): Plugin {
  return {
    name: 'pharmatrace-zxing-wasm',
    apply: 'build',
    generateBundle() {
      this.emitFile({
        type: 'asset',
        fileName: ZXING_WASM_FILE,
        source: readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')),
      });
    },
  };
}
