import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'vite';

const require = createRequire(import.meta.url);

/**
 * Files the API serves as they ship in their packages (GraphiQL's prebuilt bundles, zxing's WebAssembly): copied
 * into dist/web/vendor/ by the web build, so the runtime image needs none of these packages. Paths go through each
 * package's own package.json because react, react-dom and graphiql do not export these files as subpaths.
 */
export const VENDOR_FILES: Record<string, { pkg: string; file: string }> = {
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js' },
  'react-dom.production.min.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js' },
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js' },
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css' },
  'swagger-ui-bundle.js': { pkg: 'swagger-ui-dist', file: 'swagger-ui-bundle.js' },
  'swagger-ui.css': { pkg: 'swagger-ui-dist', file: 'swagger-ui.css' },
};

export function vendorFiles(): Plugin {
  return {
    name: 'pharmatrace-vendor-files',
    apply: 'build',
    generateBundle() {
      for (const [name, { pkg, file }] of Object.entries(VENDOR_FILES)) {
        const source = readFileSync(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file));
        this.emitFile({ type: 'asset', fileName: `vendor/${name}`, source });
      }
    },
  };
}
