import { Controller, Get, INestApplication, Module, Post, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Express, Request, Response } from 'express';
import type { IncomingMessage, Server } from 'node:http';
import request from 'supertest';
import { ExpressServerAdapter } from './express-server.adapter';

@Controller()
class ProbeController {
  @Get('probe')
  probe(@Req() req: Request): { ip: string | undefined; path: string; secure: boolean } {
    // Express's request getters (ip, path, secure) come from the prototype the request was made with.
    return { ip: req.ip, path: req.path, secure: req.secure };
  }

  @Post('echo')
  echo(@Req() req: Request, @Res() res: Response): void {
    res
      .status(201)
      .set('x-probe', 'yes')
      .json({ body: req.body as unknown });
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe('ExpressServerAdapter', () => {
  let app: INestApplication;
  let express: Express;
  /** Whether each request had Express's prototype before Express saw it (the server's first 'request' listener). */
  const madeWithAppPrototype: boolean[] = [];

  beforeAll(async () => {
    app = await NestFactory.create(ProbeModule, new ExpressServerAdapter(), { logger: false });
    express = app.getHttpAdapter().getInstance() as Express;
    const server = app.getHttpServer() as Server;
    server.prependListener('request', (req: IncomingMessage) => madeWithAppPrototype.push(Object.getPrototypeOf(req) === express.request));
    await app.init();
  });
  afterAll(() => app.close());

  it('serves requests whose objects Node made with the app prototypes, so Express need not change them', async () => {
    const res = await request(app.getHttpServer()).get('/probe').expect(200);
    expect(res.body).toEqual({ ip: expect.any(String), path: '/probe', secure: false });
    expect(madeWithAppPrototype.at(-1)).toBe(true);
  });

  it('answers through Express as before: status, headers, JSON bodies', async () => {
    const res = await request(app.getHttpServer()).post('/echo').send({ a: 1 }).expect(201);
    expect(res.headers['x-probe']).toBe('yes');
    expect(res.body).toEqual({ body: { a: 1 } });
    expect(madeWithAppPrototype.at(-1)).toBe(true);
  });
});
