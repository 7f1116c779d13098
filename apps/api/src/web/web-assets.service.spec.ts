import { NotFoundException } from '@nestjs/common';
import type { Response } from 'express';
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { contentSecurityPolicy, WebAssetsService } from './web-assets.service';

/** The parts of an express Response the service uses, keeping what was sent. */
class FakeResponse {
  statusCode = 200;
  contentType?: string;
  headers: Record<string, string> = {};
  body?: string;
  file?: { path: string; options?: Record<string, unknown> };

  status(code: number) {
    this.statusCode = code;
    return this;
  }
  type(t: string) {
    this.contentType = t;
    return this;
  }
  set(name: string | Record<string, string>, value?: string) {
    Object.assign(this.headers, typeof name === 'string' ? { [name]: value } : name);
    return this;
  }
  send(body: string) {
    this.body = body;
    return this;
  }
  sendFile(file: string, options?: Record<string, unknown>) {
    this.file = { path: file, options };
  }
}

let root: string;

/** A service whose web root is a scratch directory holding `files` (the built output is not there in a checkout). */
function serviceWith(...files: string[]): WebAssetsService {
  const service = new WebAssetsService();
  for (const f of files) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), 'x');
  }
  Object.defineProperty(service, 'webRoot', { value: root });
  return service;
}

const send = (fn: (res: Response) => void) => {
  const res = new FakeResponse();
  fn(res as unknown as Response);
  return res;
};

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'web-assets-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('WebAssetsService', () => {
  it("serves from the repository's dist/web, found from the sources", () => {
    expect(new WebAssetsService().webRoot).toBe(path.resolve(__dirname, '../../../..', 'dist', 'web'));
  });

  describe('pages', () => {
    it('serves a built page under the strict policy, never cached stale', () => {
      const res = send((r) => serviceWith('index.html').sendPage(r, 'index.html'));
      expect(res.file!.path).toBe(path.join(root, 'index.html'));
      expect(res.headers).toEqual({ 'Content-Security-Policy': contentSecurityPolicy(), 'Cache-Control': 'no-cache' });
    });

    it('answers a page not built with 503 and how to build it, rather than a broken page', () => {
      const res = send((r) => serviceWith().sendPage(r, 'explorer.html'));
      expect(res.statusCode).toBe(503);
      expect(res.headers['Retry-After']).toBe('60');
      expect(res.contentType).toBe('html');
      expect(res.body).toContain('npm run build:web');
      expect(res.file).toBeUndefined();
    });

    it('serves the explorer under the policy it is given', () => {
      const csp = contentSecurityPolicy(['https://rpc.example']);
      const res = send((r) => serviceWith('explorer.html').sendPage(r, 'explorer.html', csp));
      expect(res.headers['Content-Security-Policy']).toBe(csp);
    });
  });

  describe('assets', () => {
    it('serves a hashed asset cached for good', () => {
      const res = send((r) => serviceWith('assets/index-Ab12_c.js').sendAsset(r, 'index-Ab12_c.js'));
      expect(res.file).toEqual({ path: path.join(root, 'assets', 'index-Ab12_c.js'), options: { maxAge: '365d', immutable: true } });
    });

    it.each(['missing.js', '../index.html', '..', '.hidden', 'a/b.js', 'a\\b.js', '%2e%2e'])('answers %j as not found', (name) => {
      const service = serviceWith('index.html', 'assets/.hidden', 'assets/a/b.js');
      expect(() => send((r) => service.sendAsset(r, name))).toThrow(NotFoundException);
    });

    it('never serves a file outside the assets directory, whatever the name (property)', () => {
      const service = serviceWith('assets/app.js');
      fc.assert(
        fc.property(fc.string({ maxLength: 12 }), (name) => {
          let res: FakeResponse | undefined;
          try {
            res = send((r) => service.sendAsset(r, name));
          } catch (e) {
            expect(e).toBeInstanceOf(NotFoundException);
          }
          if (res?.file) expect(path.dirname(res.file.path)).toBe(path.join(root, 'assets'));
        }),
      );
    });
  });

  it('serves only the zxing module file it knows, once built', () => {
    const service = serviceWith('zxing/zxing_reader.wasm', 'zxing/other.wasm');
    expect(send((r) => service.sendModuleFile(r, 'zxing_reader.wasm')).file).toEqual({
      path: path.join(root, 'zxing', 'zxing_reader.wasm'),
      options: { maxAge: '1d' },
    });
    expect(() => send((r) => service.sendModuleFile(r, 'other.wasm'))).toThrow(NotFoundException);
    rmSync(path.join(root, 'zxing'), { recursive: true });
    expect(() => send((r) => service.sendModuleFile(r, 'zxing_reader.wasm'))).toThrow(NotFoundException);
  });

  it('widens connect-src alone for RPC origins, and allows no inline script anywhere (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.webUrl().map((u) => new URL(u).origin),
          { maxLength: 3 },
        ),
        (origins) => {
          const directives = Object.fromEntries(
            contentSecurityPolicy(origins)
              .split('; ')
              .map((d) => [d.split(' ')[0], d.split(' ').slice(1)]),
          );
          expect(directives['connect-src']).toEqual(["'self'", ...origins]);
          expect(directives['default-src']).toEqual(["'self'"]);
          expect(directives['frame-ancestors']).toEqual(["'none'"]);
          for (const [name, values] of Object.entries(directives)) {
            expect(values).not.toContain("'unsafe-inline'");
            if (name !== 'connect-src') for (const o of origins) expect(values).not.toContain(o);
          }
        },
      ),
    );
  });
});
