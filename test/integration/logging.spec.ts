import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../../scripts/dev-services/local-port';
import { GENEROUS_RATE_LIMITS, useDatabase } from '../support/platform';
import { waitFor } from '../support/wait';

const ROOT = path.resolve(__dirname, '../..');
const SECRET = 'pt_this-api-key-must-never-be-logged';

/** The API as `npm start` runs it (its own process), for what it writes on stdout. */
describe('structured logs of the API process (issue 11)', () => {
  let child: ChildProcess;
  let output = '';
  let base: string;
  afterAll(async () => {
    if (child?.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
  const dbUrl = useDatabase();

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      NODE_ENV: 'development',
      DATABASE_URL: dbUrl(),
      PORT: String(port),
      LOG_LEVEL: 'info',
      ADMIN_TOKEN: 'log-spec-admin-token-0123456789',
      ...GENEROUS_RATE_LIMITS,
    };
    child = spawn(process.execPath, ['-r', '@swc-node/register', path.join(ROOT, 'apps/api/src/main.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`the API exited:\n${output}`);
      return output.includes('GraphQL on');
    }, 60_000);
  }, 70_000);

  const lines = () =>
    output
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, any>);

  it('writes JSON lines only, the boot messages included', () => {
    expect(lines().find((l) => /GraphQL on/.test(l.msg))).toMatchObject({ level: 30, context: 'api' });
  });

  it('logs each request once with its id, and never the credentials it carried', async () => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}`, 'x-request-id': 'log-spec-1' },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    expect([res.status, res.headers.get('x-request-id')]).toEqual([200, 'log-spec-1']);
    await waitFor(async () => lines().some((l) => l.req?.id === 'log-spec-1' && l.res), 5_000);
    const logged = lines().filter((l) => l.req?.id === 'log-spec-1' && l.res);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      req: { id: 'log-spec-1', method: 'POST', url: '/graphql', remoteAddress: expect.any(String) },
      res: { statusCode: 200 },
      responseTime: expect.any(Number),
    });
    // No header is logged, so no credential can be, whatever header it travels in.
    expect(logged[0].req.headers).toBeUndefined();
    expect(logged[0].res.headers).toBeUndefined();
    expect(output).not.toContain(SECRET);
  });
});
