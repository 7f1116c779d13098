import { Injectable, NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The built pages' only allowed origin is ours: pharmacies run closed networks, and a CDN would be a supply-chain
 * hole. `connectOrigins` widens connect-src alone, for the explorer's in-browser check against a chain's RPC.
 */
export function contentSecurityPolicy(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    ["connect-src 'self'", ...connectOrigins].join(' '),
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const CONTENT_SECURITY_POLICY = contentSecurityPolicy();

/**
 * zxing's WebAssembly, which the scan page fetches by name rather than through Vite's hashed assets: the web build
 * copies it from the zxing-wasm package into dist/web/zxing/ (apps/web/zxing-wasm.plugin.mts), so the runtime
 * needs no zxing-wasm install.
 */
const MODULE_FILES: ReadonlySet<string> = new Set(['zxing_reader.wasm']);

export type WebPage = 'index.html' | 'self-test.html' | 'explorer.html';

const NOT_BUILT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Page not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem">
<h1>This page is not built yet</h1>
<p>On the server, run <code>npm run build:web</code> (or <code>npm run build</code>), then reload this page.</p>
</body></html>`;

/** Both from the sources (apps/api/src/web) and from the compiled output (dist/apps/api/src/web). */
function repositoryRoot(): string {
  const candidates = ['../../../..', '../../../../..'].map((rel) => path.resolve(__dirname, rel));
  return candidates.find((dir) => existsSync(path.join(dir, 'package.json'))) ?? candidates[0];
}

@Injectable()
export class WebAssetsService {
  readonly webRoot = path.join(repositoryRoot(), 'dist', 'web');

  sendPage(res: Response, page: WebPage, csp = CONTENT_SECURITY_POLICY): void {
    const file = path.join(this.webRoot, page);
    if (!existsSync(file)) {
      res.status(503).type('html').set('Retry-After', '60').send(NOT_BUILT_HTML);
      return;
    }
    res.set({ 'Content-Security-Policy': csp, 'Cache-Control': 'no-cache' }).sendFile(file);
  }

  /** Vite's content-hashed output: a name never changes content, so it may be cached for good. */
  sendAsset(res: Response, name: string): void {
    const file = path.join(this.webRoot, 'assets', name);
    if (!/^[\w.-]+$/.test(name) || name.startsWith('.') || !existsSync(file)) throw new NotFoundException(`no page asset ${name}`);
    res.sendFile(file, { maxAge: '365d', immutable: true });
  }

  sendModuleFile(res: Response, name: string): void {
    const file = path.join(this.webRoot, 'zxing', name);
    if (!MODULE_FILES.has(name) || !existsSync(file)) throw new NotFoundException(`no page module file ${name} (run npm run build:web)`);
    res.sendFile(file, { maxAge: '1d' });
  }
}
