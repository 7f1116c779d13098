import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { HDNodeWallet } from 'ethers';
import { ChainError, ChainErrorCode } from './chain.error';

/** Foundry's well-known development mnemonic: its keys are public and hold value on no real chain. */
export const ANVIL_DEFAULT_MNEMONIC = 'test test test test test test test test test test test junk';
export const ANVIL_DEFAULT_CHAIN_ID = 31337;

export interface AnvilOptions {
  /** 0 or absent picks a free port. */
  port?: number;
  /** `--state` file: loaded at start, written on stop, so a chain survives restarts. */
  stateFile?: string;
  /** Seconds between blocks; absent means a block per transaction (automine). */
  blockTime?: number;
  chainId?: number;
  mnemonic?: string;
  accounts?: number;
  /** Default true: anvil logs every RPC call otherwise. */
  silent?: boolean;
  startupTimeoutMs?: number;
}

export interface AnvilAccount {
  address: string;
  privateKey: string;
}

export interface AnvilInstance {
  rpcUrl: string;
  port: number;
  chainId: number;
  accounts: AnvilAccount[];
  process: ChildProcess;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const AUTO_PORT_ATTEMPTS = 3;
const STOP_GRACE_MS = 5_000;

/** The `@foundry-rs/anvil` wrapper resolves the same per-platform package; spawning its binary directly avoids a node process in between. */
export function resolveAnvilBinary(): string {
  if (process.env.ANVIL_BIN) return process.env.ANVIL_BIN;
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch];
  const binary = process.platform === 'win32' ? 'anvil.exe' : 'anvil';
  try {
    return require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/${binary}`);
  } catch (error) {
    throw new ChainError(
      ChainErrorCode.BAD_CONFIG,
      `no anvil binary for ${process.platform}-${process.arch}: install @foundry-rs/anvil or set ANVIL_BIN`,
      { operation: 'startAnvil', field: 'ANVIL_BIN' },
      { cause: error },
    );
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

function deriveAccounts(mnemonic: string, count: number): AnvilAccount[] {
  return Array.from({ length: count }, (_, index) => {
    const wallet = HDNodeWallet.fromPhrase(mnemonic, undefined, `m/44'/60'/0'/0/${index}`);
    return { address: wallet.address, privateKey: wallet.privateKey };
  });
}

async function answeredChainId(rpcUrl: string): Promise<number | undefined> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    const result = response.ok ? ((await response.json()) as { result?: unknown }).result : undefined;
    return typeof result === 'string' ? Number(BigInt(result)) : undefined;
  } catch {
    return undefined;
  }
}

/** Stops a child process gracefully (SIGTERM), killing it if it has not exited after a grace period. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // SIGTERM lets anvil write its --state file; SIGKILL only if it hangs.
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function launch(
  binary: string,
  port: number,
  options: Required<Pick<AnvilOptions, 'chainId' | 'mnemonic' | 'accounts' | 'silent' | 'startupTimeoutMs'>> & AnvilOptions,
): Promise<ChildProcess> {
  const rpcUrl = `http://${HOST}:${port}`;
  // Otherwise a node already on the port would answer the readiness probe in place of ours.
  if ((await answeredChainId(rpcUrl)) !== undefined) {
    throw new ChainError(ChainErrorCode.BAD_CONFIG, `port ${port} already serves JSON-RPC`, { operation: 'startAnvil', field: 'port' });
  }
  const args = [
    '--host',
    HOST,
    '--port',
    String(port),
    '--chain-id',
    String(options.chainId),
    '--mnemonic',
    options.mnemonic,
    '--accounts',
    String(options.accounts),
  ];
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime));
  if (options.stateFile) args.push('--state', options.stateFile);
  if (options.silent) args.push('--silent');

  const child = spawn(binary, args, { stdio: ['ignore', options.silent ? 'ignore' : 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
    if (!options.silent) process.stderr.write(chunk);
  });
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(`anvil exited (${signal ?? code}) before answering: ${stderr.trim() || 'no output'}`));
    child.once('error', (error) => resolve(`anvil failed to start: ${error.message}`));
  });

  const deadline = Date.now() + options.startupTimeoutMs;
  let exitReason: string | undefined;
  void exited.then((reason) => (exitReason = reason));
  while (Date.now() < deadline) {
    if (exitReason) throw new ChainError(ChainErrorCode.RPC_UNAVAILABLE, exitReason, { operation: 'startAnvil' });
    if ((await answeredChainId(rpcUrl)) === options.chainId && child.exitCode === null) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stopProcess(child);
  throw new ChainError(
    ChainErrorCode.RPC_UNAVAILABLE,
    `anvil did not answer eth_chainId on ${rpcUrl} within ${options.startupTimeoutMs} ms`,
    { operation: 'startAnvil' },
  );
}

export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilInstance> {
  const settings = {
    ...options,
    chainId: options.chainId ?? ANVIL_DEFAULT_CHAIN_ID,
    mnemonic: options.mnemonic ?? ANVIL_DEFAULT_MNEMONIC,
    accounts: options.accounts ?? 10,
    silent: options.silent ?? true,
    startupTimeoutMs: options.startupTimeoutMs ?? 15_000,
  };
  const binary = resolveAnvilBinary();
  const autoPort = !options.port;

  let child: ChildProcess | undefined;
  let port = 0;
  // A picked free port can be taken by someone else before anvil binds it; pick again.
  for (let attempt = 1; !child; attempt++) {
    port = autoPort ? await freePort() : options.port!;
    try {
      child = await launch(binary, port, settings);
    } catch (error) {
      if (!autoPort || attempt >= AUTO_PORT_ATTEMPTS) throw error;
    }
  }

  const running = child;
  const killOnExit = () => running.kill('SIGKILL');
  process.once('exit', killOnExit);
  return {
    rpcUrl: `http://${HOST}:${port}`,
    port,
    chainId: settings.chainId,
    accounts: deriveAccounts(settings.mnemonic, settings.accounts),
    process: running,
    stop: async () => {
      process.off('exit', killOnExit);
      await stopProcess(running);
    },
  };
}
