import { Controller, Get, INestApplication, Module, OnModuleInit, Post, Req, Res } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
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

/** Mounts `/late` in its module's init, as Apollo's driver mounts GraphQL: after Nest has registered every controller. */
@Module({})
class LateMountModule implements OnModuleInit {
  constructor(private readonly host: HttpAdapterHost) {}

  onModuleInit(): void {
    const app = this.host.httpAdapter.getInstance<Express>();
    app.use('/late', (req: Request, res: Response) => {
      res.json({ mount: req.originalUrl, seenByGlobal: req.headers['x-global'] ?? null });
    });
  }
}

@Controller('late')
class ShadowController {
  @Get('shadow')
  shadow(): string {
    return 'route';
  }
}

describe('ExpressServerAdapter: mounts made after the routes', () => {
  const build = async (controllers: (new () => unknown)[]) => {
    @Module({ imports: [LateMountModule], controllers })
    class AppModule {}
    const app = await NestFactory.create(AppModule, new ExpressServerAdapter(), { logger: false });
    app.use((req: Request, _res: Response, next: () => void) => {
      req.headers['x-global'] = 'yes';
      next();
    });
    await app.init();
    const stack = (app.getHttpAdapter().getInstance() as unknown as { router: { stack: { route?: { path: string } }[] } }).router.stack;
    const mountAt = stack.findIndex((l) => !l.route && (l as { rawPath?: string }).rawPath === '/late');
    const routeAt = (path: string) => stack.findIndex((l) => l.route?.path === path);
    return { app, mountAt, routeAt };
  };

  it('are tried before routes that cannot take their requests, after the middleware that can, and before the 404', async () => {
    const { app, mountAt, routeAt } = await build([ProbeController]);
    try {
      expect(mountAt).toBeGreaterThan(0);
      expect(mountAt).toBeLessThan(routeAt('/probe'));
      const server = app.getHttpServer() as Server;
      expect((await request(server).get('/late/x').expect(200)).body).toEqual({ mount: '/late/x', seenByGlobal: 'yes' });
      expect((await request(server).get('/probe').expect(200)).body.path).toBe('/probe');
      await request(server).get('/nowhere').expect(404);
    } finally {
      await app.close();
    }
  });

  it('stay after a route that could take one of their requests', async () => {
    const { app, mountAt, routeAt } = await build([ShadowController, ProbeController]);
    try {
      expect(mountAt).toBeGreaterThan(routeAt('/late/shadow'));
      const server = app.getHttpServer() as Server;
      expect((await request(server).get('/late/shadow').expect(200)).text).toBe('route');
      expect((await request(server).get('/late/other').expect(200)).body.mount).toBe('/late/other');
    } finally {
      await app.close();
    }
  });
});
