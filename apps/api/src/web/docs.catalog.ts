import { Injectable } from '@nestjs/common';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { WebAssetsService } from './web-assets.service';

/** README.md and docs/*.md of the checkout or image the API runs from (both sit beside dist/), read once at boot. */
@Injectable()
export class DocsCatalog {
  private readonly files = new Map<string, string>();

  constructor(assets: WebAssetsService) {
    const root = path.resolve(assets.webRoot, '../..');
    const readme = path.join(root, 'README.md');
    if (existsSync(readme)) this.files.set('README.md', readme);
    const docs = path.join(root, 'docs');
    if (existsSync(docs)) {
      for (const name of readdirSync(docs)
        .filter((f) => f.endsWith('.md'))
        .sort())
        this.files.set(name, path.join(docs, name));
    }
  }

  names(): string[] {
    return [...this.files.keys()];
  }

  path(name: string): string | undefined {
    return this.files.get(name);
  }
}
