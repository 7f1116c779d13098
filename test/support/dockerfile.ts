/**
 * Replays a Dockerfile's stages without a Docker engine: what a stage COPYs from the build context is copied (minus
 * .dockerignore) into an empty folder standing for the image's file system, its RUN commands run there through
 * `sh -c`, and its ENV applies to them and to whatever the caller then starts. Container paths map to
 * `<root>/<path>`: WORKDIR /app is `<root>/app`, and absolute paths written in RUN commands are rewritten the same
 * way. `npm install --global` lands in `<root>/usr/local`, as it does in the node images.
 *
 * Not replayed, because a test cannot and need not: the base image (the host's Node.js stands for it), USER,
 * file ownership (`chown` is a no-op here) and `npm cache clean` (a no-op here: it would empty the machine's npm
 * cache, not an image layer's).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Instruction {
  op: string;
  args: string;
  /** 1-based line of the instruction's start in the Dockerfile. */
  line: number;
}

export interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let logical = lines[i].trim();
    if (!logical || logical.startsWith('#')) continue;
    while (logical.endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      const next = lines[i].trim();
      logical = logical.slice(0, -1).trimEnd() + (next.startsWith('#') ? '' : ` ${next}`);
    }
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(logical) ?? [];
    if (!op) throw new Error(`Dockerfile line ${start + 1}: cannot read ${JSON.stringify(logical)}`);
    const instruction = { op: op.toUpperCase(), args: args.trim(), line: start + 1 };
    if (instruction.op === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : String(stages.length), instructions: [] });
    } else {
      if (!stages.length) throw new Error(`Dockerfile line ${start + 1}: ${instruction.op} before FROM`);
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

export interface CopyInstruction {
  from?: string;
  sources: string[];
  destination: string;
}

export function parseCopy(args: string): CopyInstruction {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const unknown = flags.filter((f) => !/^--(from|chown|chmod)=/.test(f));
  if (unknown.length) throw new Error(`COPY ${args}: flags ${unknown.join(' ')} are not replayed`);
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
}

/** .dockerignore patterns (Go filepath.Match with `**`), matched against a context-relative path or any of its parents. */
export function dockerIgnore(contextDir: string): (relative: string) => boolean {
  const file = path.join(contextDir, '.dockerignore');
  const patterns = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
    : [];
  if (patterns.some((p) => p.startsWith('!'))) throw new Error('.dockerignore exceptions (!pattern) are not replayed');
  const regexes = patterns.map((p) => {
    const body = p
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((part) =>
        part === '**'
          ? '(?:.*)'
          : part
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/')
      .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
    return new RegExp(`^${body}$`);
  });
  return (relative) => {
    const parts = relative.split(path.sep);
    for (let n = 1; n <= parts.length; n++) {
      const prefix = parts.slice(0, n).join('/');
      if (regexes.some((r) => r.test(prefix))) return true;
    }
    return false;
  };
}

export interface StageRun {
  stage: Stage;
  /** The folder standing for the image's `/`. */
  root: string;
  /** The image's WORKDIR on the host. */
  workdir: string;
  /** ENV of the stage, for the processes the caller starts from it. */
  env: Record<string, string>;
  /** Wall time of each RUN, for the report. */
  timings: { command: string; ms: number }[];
}

export interface ReplayOptions {
  contextDir: string;
  /** The host folder standing for the image's `/`; must be empty or missing. */
  root: string;
  /** Earlier stages by name, for COPY --from. */
  stages?: Record<string, StageRun>;
  /** Environment the RUN commands start from (the stage's ENV is laid over it). */
  env: NodeJS.ProcessEnv;
  /** Per RUN command. */
  timeoutMs?: number;
}

const hostPath = (root: string, containerPath: string) => path.join(root, containerPath);

function exec(command: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`RUN ${command}\n(in ${cwd}) failed with ${signal ?? `exit ${code}`}:\n${output.slice(-6000)}`));
    });
  });
}

export async function replayStage(stage: Stage, options: ReplayOptions): Promise<StageRun> {
  const { contextDir, root } = options;
  if (existsSync(root) && readdirSync(root).length) throw new Error(`${root} is not empty`);
  mkdirSync(root, { recursive: true });
  const ignored = dockerIgnore(contextDir);
  // Shims first on PATH. chown needs users the host has not got: ownership is not reproduced. `npm cache clean`
  // would empty the machine's npm cache (shared with every other install here), not an image layer's: skipped.
  const shims = path.join(root, '.replay-bin');
  mkdirSync(shims);
  const npm = execFileSync('sh', ['-c', 'command -v npm'], { env: options.env, encoding: 'utf8' }).trim();
  const shim = (name: string, body: string) => {
    writeFileSync(path.join(shims, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(shims, name), 0o755);
  };
  shim('chown', 'exit 0');
  shim('npm', `if [ "$1" = cache ] && [ "$2" = clean ]; then exit 0; fi\nexec ${JSON.stringify(npm)} "$@"`);

  const run: StageRun = { stage, root, workdir: root, env: {}, timings: [] };
  const containerPaths = (command: string) =>
    command.replace(/(^|[\s=])(\/[\w.*/-]*)/g, (_m, before: string, p: string) => `${before}${hostPath(root, p)}`);

  for (const { op, args, line } of stage.instructions) {
    switch (op) {
      case 'WORKDIR':
        run.workdir = path.isAbsolute(args) ? hostPath(root, args) : path.join(run.workdir, args);
        mkdirSync(run.workdir, { recursive: true });
        break;
      case 'ENV': {
        const pairs = /^\S+\s*=/.test(args)
          ? [...args.matchAll(/(\S+?)=("[^"]*"|\S*)/g)].map((m) => [m[1], m[2].replace(/^"|"$/g, '')])
          : [args.split(/\s+(.*)/s)];
        for (const [key, value] of pairs) run.env[key] = value;
        break;
      }
      case 'COPY': {
        const copy = parseCopy(args);
        const destination = path.isAbsolute(copy.destination) ? hostPath(root, copy.destination) : path.join(run.workdir, copy.destination);
        const intoFolder = copy.destination.endsWith('/') || copy.sources.length > 1;
        for (const source of copy.sources) {
          let from: string;
          let filter: ((src: string) => boolean) | undefined;
          if (copy.from) {
            const earlier = options.stages?.[copy.from];
            if (!earlier) throw new Error(`Dockerfile line ${line}: no earlier stage ${copy.from}`);
            from = hostPath(earlier.root, source);
          } else {
            from = path.join(contextDir, source);
            filter = (src) => !ignored(path.relative(contextDir, src));
            if (ignored(source)) throw new Error(`Dockerfile line ${line}: ${source} is excluded by .dockerignore`);
          }
          if (!existsSync(from)) throw new Error(`Dockerfile line ${line}: COPY source ${source} does not exist`);
          const isFolder = statSync(from).isDirectory();
          const target = isFolder || !intoFolder ? destination : path.join(destination, path.basename(from));
          mkdirSync(isFolder ? target : path.dirname(target), { recursive: true });
          cpSync(from, target, { recursive: true, filter, verbatimSymlinks: true });
        }
        break;
      }
      case 'RUN': {
        const env: NodeJS.ProcessEnv = {
          ...options.env,
          ...run.env,
          npm_config_prefix: hostPath(root, '/usr/local'),
          PATH: [shims, hostPath(root, '/usr/local/bin'), options.env.PATH].join(path.delimiter),
        };
        const started = Date.now();
        await exec(containerPaths(args), run.workdir, env, options.timeoutMs ?? 600_000);
        run.timings.push({ command: args, ms: Date.now() - started });
        break;
      }
      case 'USER':
      case 'EXPOSE':
      case 'CMD':
      case 'ENTRYPOINT':
      case 'LABEL':
        break;
      default:
        throw new Error(`Dockerfile line ${line}: ${op} is not replayed`);
    }
  }
  return run;
}

/**
 * The environment a clean machine would give: nothing from the npm or jest process that started the test (npm_*
 * settings, NODE_PATH, NODE_OPTIONS) and no PHARMATRACE_* setting pointing back into the repository.
 */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|NODE_PATH$|NODE_OPTIONS$|NODE_ENV$|PHARMATRACE_|JEST_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
