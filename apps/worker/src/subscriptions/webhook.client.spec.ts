import type { AppConfig } from '@pharmatrace/config';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { publicOnlyLookup, WebhookClient } from './webhook.client';

const client = (allowPrivateDestinations: boolean) => new WebhookClient({ subscriptions: { allowPrivateDestinations } } as AppConfig);

describe('WebhookClient', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req
        .on('data', (c) => (body += c))
        .on('end', () => {
          received.push(body);
          res.writeHead(202).end();
        });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  it('delivers when the operator allows internal destinations (a closed network, these tests)', async () => {
    await expect(
      client(true).post(`http://127.0.0.1:${port}/hook`, '{"a":1}', { 'content-type': 'application/json' }, 2_000),
    ).resolves.toEqual({
      status: 202,
    });
    expect(received).toContain('{"a":1}');
  });

  it.each(['127.0.0.1', 'localhost'])('refuses http://%s by default, before connecting', async (host) => {
    const before = received.length;
    await expect(client(false).post(`http://${host}:${port}/hook`, '{}', {}, 2_000)).rejects.toThrow(/public addresses only/);
    expect(received).toHaveLength(before);
  });

  it('refuses a name once it resolves to an internal address (the address connected to is the one checked)', async () => {
    const answer = await new Promise<NodeJS.ErrnoException | null>((resolve) => publicOnlyLookup('localhost', {}, (err) => resolve(err)));
    expect(answer?.message).toMatch(/loopback, private or link-local.*public addresses only/);
  });

  it('refuses other schemes', async () => {
    await expect(client(true).post('ftp://example.com/x', '{}', {}, 1_000)).rejects.toThrow(/only http and https/);
  });
});
