/**
 * Compiles contracts/AnchorRegistry.sol with solc-js and writes the artifact that libs/chain
 * ships, so that nothing compiles Solidity at run time.
 *
 * Run: node -r @swc-node/register scripts/compile-contracts.ts
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import solc from 'solc';

const ROOT = join(__dirname, '..');
const CONTRACT_NAME = 'AnchorRegistry';
const SOURCE_PATH = `contracts/${CONTRACT_NAME}.sol`;
export const ARTIFACT_PATH = join(ROOT, 'libs/chain/src/artifacts', `${CONTRACT_NAME}.json`);

/** Cancun is the newest fork every EVM chain we target has, and anvil's default is newer. */
const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const;

export interface ContractArtifact {
  contractName: string;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
  compiler: { version: string; settings: typeof SETTINGS };
  /** sha256 over every source path and content fed to solc, imports included. */
  sourceHash: string;
}

interface SolcOutput {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<
      string,
      {
        abi: unknown[];
        evm: { bytecode: { object: string }; deployedBytecode: { object: string } };
      }
    >
  >;
  sources?: Record<string, unknown>;
}

export class ContractCompileError extends Error {
  constructor(readonly messages: string[]) {
    super(`solc failed:\n${messages.join('\n')}`);
    this.name = 'ContractCompileError';
  }
}

function resolveImport(importPath: string): { contents: string } | { error: string } {
  try {
    const file = importPath.startsWith('@') ? require.resolve(importPath, { paths: [ROOT] }) : join(ROOT, importPath);
    return { contents: readFileSync(file, 'utf8') };
  } catch {
    return { error: `cannot resolve import ${importPath}` };
  }
}

export function compileAnchorRegistry(): ContractArtifact {
  const input = {
    language: 'Solidity',
    sources: { [SOURCE_PATH]: { content: readFileSync(join(ROOT, SOURCE_PATH), 'utf8') } },
    settings: SETTINGS,
  };
  const loaded = new Map<string, string>([[SOURCE_PATH, input.sources[SOURCE_PATH].content]]);
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (path: string) => {
        const result = resolveImport(path);
        if ('contents' in result) loaded.set(path, result.contents);
        return result;
      },
    }),
  ) as SolcOutput;

  // Warnings fail the build too: a warning-free contract keeps the audit surface small.
  const problems = (output.errors ?? []).filter((e) => e.severity !== 'info');
  if (problems.length > 0) throw new ContractCompileError(problems.map((e) => e.formattedMessage));

  const compiled = output.contracts?.[SOURCE_PATH]?.[CONTRACT_NAME];
  if (!compiled) throw new ContractCompileError([`${CONTRACT_NAME} missing from solc output`]);

  const hash = createHash('sha256');
  for (const path of [...loaded.keys()].sort()) hash.update(path).update('\0').update(loaded.get(path)!).update('\0');

  return {
    contractName: CONTRACT_NAME,
    abi: compiled.abi,
    bytecode: `0x${compiled.evm.bytecode.object}`,
    deployedBytecode: `0x${compiled.evm.deployedBytecode.object}`,
    compiler: { version: solc.version(), settings: SETTINGS },
    sourceHash: `0x${hash.digest('hex')}`,
  };
}

if (require.main === module) {
  const artifact = compileAnchorRegistry();
  writeFileSync(ARTIFACT_PATH, `${JSON.stringify(artifact, null, 2)}\n`);
  const size = (artifact.deployedBytecode.length - 2) / 2;
  process.stdout.write(`wrote ${relative(ROOT, ARTIFACT_PATH)} (runtime ${size} bytes, solc ${artifact.compiler.version})\n`);
}
