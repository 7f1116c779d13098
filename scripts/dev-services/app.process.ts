import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface AppProcess {
  name: string;
  child: ChildProcess;
  /** Settles with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
  stop(graceMs?: number): Promise<void>;
}

/**
 * How to run an app: the compiled `dist/` entry when the supervisor itself runs compiled (`npm start`),
 * the TypeScript source through @swc-node/register when it runs from source (tests, quick hacking).
 */
export function appCommand(root: string, app: 'api' | 'worker', fromSource: boolean): string[] {
  const compiled = path.join(root, 'dist', 'apps', app, 'src', 'main.js');
  if (!fromSource && existsSync(compiled)) return [compiled];
  return ['-r', '@swc-node/register', path.join(root, 'apps', app, 'src', 'main.ts')];
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
