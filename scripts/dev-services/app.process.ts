import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { crashStreak, DEFAULT_RESTART_POLICY, type RestartPolicy, restartDelayMs } from './restart.backoff';

export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** Settles with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  stop(graceMs?: number): Promise<void>;
}

/**
 * Node's flags for each app, wherever it is started (here, the Dockerfile, both compose files, the benches;
 * test/integration/node-flags.spec.ts holds them to this list).
 *
 * The API: young-generation semi-spaces of 64 MB instead of V8's 16. A 1,000-event capture allocates about 38 MB
 * and stays in flight for hundreds of milliseconds beside three others, so with 16 MB every scavenge found much of
 * the young generation alive and copied it (7 ms a scavenge, 21 ms of main thread per 1,000 captured events).
 * Measured (docs/benchmarks.md, "Young generation"): `npm run bench capture-ceiling`, scavenges over a run 1,870 ms
 * at 16 MB, 1,280-1,534 at 64, 984 at 128; `verify` at 1,000 req/s for 20 s, scavenges 475-608 ms (longest 10-16)
 * at 16 MB, 316-321 (longest 9-13) at 64, and at 128 a pause of 76-131 ms when the space grew, then 13-18 ms each.
 */
export const NODE_FLAGS: Record<'api' | 'worker', readonly string[]> = {
  api: ['--max-semi-space-size=64'],
  worker: [],
};

/**
 * How to run an app: the compiled `dist/` entry when the supervisor itself runs compiled (`npm start`),
 * the TypeScript source through @swc-node/register when it runs from source (tests, quick hacking).
 */
export function appCommand(root: string, app: 'api' | 'worker', fromSource: boolean): string[] {
  const compiled = path.join(root, 'dist', 'apps', app, 'src', 'main.js');
  if (!fromSource && existsSync(compiled)) return [...NODE_FLAGS[app], compiled];
  return [...NODE_FLAGS[app], '-r', '@swc-node/register', path.join(root, 'apps', app, 'src', 'main.ts')];
}

function prefixLines(stream: NodeJS.ReadableStream | null, prefix: string, out: NodeJS.WritableStream): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => out.write(`${prefix} ${line}\n`));
}

export function spawnApp(name: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): AppProcess {
  const child = spawn(process.execPath, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  prefixLines(child.stdout, `[${name}]`, process.stdout);
  prefixLines(child.stderr, `[${name}]`, process.stderr);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 0));
    child.once('error', () => resolve(-1));
  });
  return {
    name,
    child,
    exited,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    },
  };
}

export interface SupervisedApp {
  name: string;
  /** The process running now (a restart replaces it). */
  current(): AppProcess;
  /** Stops restarting and stops the process running now. */
  stop(graceMs?: number): Promise<void>;
}

export interface SuperviseOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  policy?: RestartPolicy;
}

/**
 * Keeps an app running: an unexpected exit is logged and the app restarted after a backoff, so one crash never
 * takes down the services or the other app. The restarted child sees PHARMATRACE_RESTART_COUNT.
 */
export function superviseApp(name: string, args: string[], options: SuperviseOptions): SupervisedApp {
  const policy = options.policy ?? DEFAULT_RESTART_POLICY;
  let restarts = 0;
  let streak = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let app: AppProcess;

  const launch = () => {
    const startedAt = Date.now();
    app = spawnApp(name, args, { cwd: options.cwd, env: { ...options.env, PHARMATRACE_RESTART_COUNT: String(restarts) } });
    options.log(restarts ? `${name} restarted (pid ${app.child.pid}, restart ${restarts})` : `${name} started (pid ${app.child.pid})`);
    void app.exited.then((code) => {
      if (stopped) return;
      const ranMs = Date.now() - startedAt;
      streak = crashStreak(streak, ranMs, policy);
      const delay = restartDelayMs(streak, policy);
      options.log(`${name} exited (${code}) after ${(ranMs / 1000).toFixed(1)} s; restarting in ${delay} ms (restart ${restarts + 1})`);
      timer = setTimeout(() => {
        timer = undefined;
        if (stopped) return;
        restarts += 1;
        launch();
      }, delay);
    });
  };
  launch();

  return {
    name,
    current: () => app,
    stop: async (graceMs) => {
      stopped = true;
      clearTimeout(timer);
      await app.stop(graceMs);
    },
  };
}
