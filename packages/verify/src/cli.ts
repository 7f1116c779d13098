#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyBundle, type VerifyOptions } from './bundle.verifier';
import { formatReport } from './report.printer';
import { EXIT_CODE } from './verification.report';
import { VerifyError, VerifyErrorCode } from './verify.error';

/** Distinct from every verification outcome: the command itself could not run. */
const EXIT_USAGE = 4;

const USAGE = `usage: pharmatrace-verify <bundle.json | -> --rpc <url> [--rpc <chainId>=<url> …] [--timeout <ms>] [--json] [--no-contract-verify]

Checks a pharmatrace proof bundle (format v1) without trusting whoever produced it: recomputes every CBV 2.0
event hash, walks every Merkle proof, and reads every anchor back from the chain through your RPC.
  --rpc <url>             one JSON-RPC endpoint for every chain the bundle names
  --rpc <chainId>=<url>   one endpoint per chain (repeat); anchors on other chains are reported UNCHECKED
exit: 0 verified, 1 mismatch (tampered or inconsistent), 2 not anchored yet, 3 chain unreadable, 4 usage`;

function rpcUrlsOf(values: string[]): VerifyOptions['rpcUrls'] {
  if (!values.length) throw new VerifyError(VerifyErrorCode.BAD_INPUT, '--rpc is required', '--rpc');
  const perChain = values.map((v) => /^(\d+)=(.+)$/.exec(v));
  if (values.length === 1 && !perChain[0]) return values[0];
  if (perChain.some((m) => !m))
    throw new VerifyError(VerifyErrorCode.BAD_INPUT, 'with several --rpc, each must be <chainId>=<url>', '--rpc');
  return Object.fromEntries(perChain.map((m) => [m![1], m![2]]));
}

function readBundle(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new VerifyError(VerifyErrorCode.BAD_INPUT, `cannot read ${path}: ${(e as Error).message}`, 'bundle');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VerifyError(VerifyErrorCode.BAD_INPUT, `${path} is not JSON: ${(e as Error).message}`, 'bundle');
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        rpc: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        'no-contract-verify': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  try {
    if (positionals.length !== 1)
      throw new VerifyError(VerifyErrorCode.BAD_INPUT, 'exactly one bundle file (or - for stdin) is expected', 'bundle');
    const report = await verifyBundle(readBundle(positionals[0]), {
      rpcUrls: rpcUrlsOf(values.rpc ?? []),
      timeoutMs: values.timeout === undefined ? undefined : Number(values.timeout),
      checkContractVerify: !values['no-contract-verify'],
    });
    process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatReport(report)}\n`);
    return EXIT_CODE[report.outcome];
  } catch (e) {
    if (!(e instanceof VerifyError)) throw e;
    process.stderr.write(`pharmatrace-verify: ${e.message}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`pharmatrace-verify: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
