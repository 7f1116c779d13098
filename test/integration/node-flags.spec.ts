import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { appCommand, NODE_FLAGS } from '../../scripts/dev-services/app.process';
import { parseDockerfile } from '../support/dockerfile';

/**
 * The API's Node flags (NODE_FLAGS: the young generation's size) are given wherever the API is started: by the
 * supervisor of `npm start` and the cluster profile, by the image, by both compose files. A start path that drops
 * them runs a process whose captures cost a fifth more CPU, and no other test would notice.
 */
const ROOT = path.join(__dirname, '..', '..');
const API_ENTRY = 'dist/apps/api/src/main.js';

/** The words of the compose service's `exec node …` that starts the API. */
function composeApiCommand(file: string): string[] {
  const compose = parse(readFileSync(path.join(ROOT, file), 'utf8'), { merge: true }) as {
    services: Record<string, { command?: string[] }>;
  };
  const script = compose.services.api.command?.join(' ') ?? '';
  const exec = /exec (node [^&;]*)$/.exec(script);
  if (!exec) throw new Error(`${file}: the api service does not exec node (${script})`);
  return exec[1].trim().split(/\s+/);
}

describe('the API is started with its Node flags everywhere', () => {
  it('holds a young generation larger than V8 gives by default', () => {
    expect(NODE_FLAGS.api).toEqual(['--max-semi-space-size=64']);
    // Node refuses a flag it does not know ("bad option"), so the list runs as it stands.
    expect(execFileSync(process.execPath, [...NODE_FLAGS.api, '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' })).toBe('ok');
  });

  it('by the supervisor (npm start, the cluster profile), compiled and from source', () => {
    for (const fromSource of [true, false]) {
      expect(appCommand(ROOT, 'api', fromSource).slice(0, NODE_FLAGS.api.length)).toEqual(NODE_FLAGS.api);
      expect(appCommand(ROOT, 'worker', fromSource).slice(0, NODE_FLAGS.worker.length)).toEqual(NODE_FLAGS.worker);
    }
  });

  it("by the image's command", () => {
    const runtime = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).find((s) => s.name === 'runtime')!;
    const cmd = runtime.instructions.filter((i) => i.op === 'CMD').pop()!;
    expect(JSON.parse(cmd.args)).toEqual(['node', ...NODE_FLAGS.api, API_ENTRY]);
  });

  it.each(['docker-compose.yml', 'docker-compose.cluster.yml'])('by %s', (file) => {
    expect(composeApiCommand(file)).toEqual(['node', ...NODE_FLAGS.api, API_ENTRY]);
  });
});
