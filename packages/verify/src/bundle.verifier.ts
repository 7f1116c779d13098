import { eventHash as cbvEventHash, hashDigest } from './cbv/event-hash';
import { UNNAMED_HASH_RULES } from './bundle.format';
import { extensionFieldName, type HashRules, namespacesOf } from './cbv/event-tree';
import { hexlify } from 'ethers';
import { ChainReader } from './anchor.check';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type BundleAnchor, type BundleSignature, LEAF_ENCODING } from './bundle.format';
import { JsonRpcClient } from './json-rpc.client';
import { rootFromProof } from './merkle-proof';
import { checkSignature } from './signature.check';
import {
  type AnchorReport,
  type EventReport,
  kindOf,
  outcomeOf,
  type Problem,
  ProblemCode,
  type VerificationReport,
} from './verification.report';
import { VerifyError, VerifyErrorCode } from './verify.error';

export interface VerifyOptions {
  /** One JSON-RPC URL used for every chain, or one per chain id. */
  rpcUrls: string | Readonly<Record<string | number, string>>;
  /** Per JSON-RPC request; default 10 s. */
  timeoutMs?: number;
  /** Also ask the contract's own `verify(proof, root, digest)` view; default true. */
  checkContractVerify?: boolean;
}

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const DEFAULT_TIMEOUT_MS = 10_000;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const isBytes32 = (v: unknown): v is string => typeof v === 'string' && BYTES32.test(v);
const isBlock = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const digestOf = (hash: string) => hexlify(hashDigest(hash));

class Readers {
  private readonly single?: ChainReader;
  private readonly byChain = new Map<number, ChainReader>();

  constructor(options: VerifyOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
      throw new VerifyError(VerifyErrorCode.BAD_OPTIONS, 'timeoutMs must be a positive number', 'timeoutMs');
    const settings = { checkContractVerify: options.checkContractVerify ?? true };
    const reader = (url: string) => new ChainReader(new JsonRpcClient(url, timeoutMs), settings);
    if (typeof options.rpcUrls === 'string') {
      this.single = reader(options.rpcUrls);
      return;
    }
    if (!isObject(options.rpcUrls) || !Object.keys(options.rpcUrls).length) {
      throw new VerifyError(VerifyErrorCode.BAD_OPTIONS, 'rpcUrls must be a URL or a non-empty map of chain id to URL', 'rpcUrls');
    }
    for (const [chainId, url] of Object.entries(options.rpcUrls)) {
      if (!/^[1-9]\d*$/.test(chainId))
        throw new VerifyError(VerifyErrorCode.BAD_OPTIONS, `rpcUrls: ${JSON.stringify(chainId)} is not a chain id`, 'rpcUrls');
      this.byChain.set(Number(chainId), reader(url));
    }
  }

  for(chainId: number): ChainReader | undefined {
    return this.single ?? this.byChain.get(chainId);
  }
}

function summaryOf(event: Json): string {
  const bizStep = typeof event.bizStep === 'string' ? event.bizStep.replace(/^.*(BizStep-|:)/, '') : undefined;
  return [event.type, event.action, bizStep].filter((s) => typeof s === 'string').join(' ');
}

/** Checks one bundle entry; every problem it finds is named, none stops the others from being looked for. */
async function verifyEvent(entry: unknown, index: number, readers: Readers): Promise<{ report: EventReport; problems: Problem[] }> {
  const problems: Problem[] = [];
  const at = `/events/${index}`;
  const problem = (code: ProblemCode, field: string, message: string, chainId?: number) =>
    problems.push({
      code,
      kind: kindOf(code),
      eventIndex: index,
      field: `${at}${field}`,
      message,
      ...(chainId === undefined ? {} : { chainId }),
    });
  const malformed = (field: string, what: string) =>
    problem(ProblemCode.MALFORMED_BUNDLE, field, `event ${index}: ${field.slice(1) || 'entry'} ${what}`);
  const report: EventReport = { index, eventHash: '', summary: '', hashOk: false, proofOk: false, anchors: [], outcome: 'MISMATCH' };
  const done = () => ({ report: { ...report, outcome: outcomeOf(problems) }, problems });

  if (!isObject(entry)) {
    malformed('', 'is not an object');
    return done();
  }
  const { event, eventHash: claimedHash, merkle, anchors, signature, ignoreFields = [], hashRules = UNNAMED_HASH_RULES } = entry;
  if (!isObject(event)) malformed('/event', 'is not a JSON object');
  if (typeof claimedHash !== 'string') malformed('/eventHash', 'is missing');
  const names = Array.isArray(ignoreFields) && ignoreFields.every((f) => typeof f === 'string') ? (ignoreFields as string[]) : null;
  if (!names) malformed('/ignoreFields', 'is not an array of field names');
  const rules: HashRules | null = hashRules === 1 || hashRules === 2 || hashRules === 3 ? hashRules : null;
  if (!rules) malformed('/hashRules', 'is not 1, 2 or 3');
  if (!isObject(event) || typeof claimedHash !== 'string' || !names || !rules) return done();
  const namespaces = namespacesOf(event['@context']);
  names.forEach((name, i) => {
    if (extensionFieldName(name, namespaces) === null)
      malformed(
        `/ignoreFields/${i}`,
        `${JSON.stringify(name.slice(0, 100))} is a standard field, which no declaration takes out of the hash`,
      );
  });
  report.eventHash = claimedHash;
  report.summary = summaryOf(event);
  if (typeof event.eventTime === 'string') report.eventTime = event.eventTime;

  let claimedDigest: string;
  try {
    claimedDigest = digestOf(claimedHash);
  } catch {
    malformed('/eventHash', `${JSON.stringify(claimedHash.slice(0, 100))} is not a ni:///sha-256;<hex>?ver=CBV2.0 hash`);
    return done();
  }
  let recomputed: string | undefined;
  try {
    recomputed = cbvEventHash(event, undefined, names, rules).hash;
  } catch (e) {
    problem(
      ProblemCode.EVENT_HASH_MISMATCH,
      '/event',
      `event ${index}: the event content cannot be hashed (${(e as Error).message}), so it cannot match eventHash`,
    );
  }
  if (recomputed !== undefined) {
    report.hashOk = recomputed.toLowerCase() === claimedHash.toLowerCase();
    if (!report.hashOk)
      problem(
        ProblemCode.EVENT_HASH_MISMATCH,
        '/eventHash',
        `event ${index}: eventHash does not match the event content, which hashes to ${recomputed}`,
      );
  }
  // What a signature must commit to: the hash of the content shown, not the hash the bundle claims.
  const trueHash = recomputed ?? claimedHash;

  if (signature !== undefined) {
    report.signatureOk = false;
    if (!isSignature(signature))
      malformed('/signature', 'is not { signer, signature, typedData: { domain, types, primaryType, message } }');
    else {
      const checked = checkSignature(signature, trueHash, digestOf(trueHash));
      if (checked.ok) {
        report.signatureOk = true;
        report.signer = checked.signer;
      } else {
        const code = {
          invalid: ProblemCode.SIGNATURE_INVALID,
          signer: ProblemCode.SIGNER_MISMATCH,
          commitment: ProblemCode.SIGNATURE_NOT_COMMITTED,
        }[checked.reason];
        problem(code, '/signature', `event ${index}: ${checked.message}`);
      }
    }
  }

  if (!Array.isArray(anchors)) {
    malformed('/anchors', 'is not an array');
    return done();
  }
  if (merkle === undefined || merkle === null) {
    if (anchors.length) malformed('/merkle', 'is missing although the event names anchors');
    else problem(ProblemCode.NOT_ANCHORED, '/anchors', `event ${index}: NOT ANCHORED: the event is in no anchored batch yet`);
    return done();
  }
  if (!isObject(merkle)) {
    malformed('/merkle', 'is not an object');
    return done();
  }
  const { leafEncoding, value, proof, root } = merkle;
  if (!Array.isArray(leafEncoding) || leafEncoding.length !== 1 || leafEncoding[0] !== LEAF_ENCODING[0]) {
    problem(
      ProblemCode.UNSUPPORTED_LEAF_ENCODING,
      '/merkle/leafEncoding',
      `event ${index}: leaf encoding ${JSON.stringify(leafEncoding)} is not ["bytes32"]`,
    );
    return done();
  }
  if (!isBytes32(value)) malformed('/merkle/value', 'is not a 0x-prefixed 32-byte hex string');
  if (!isBytes32(root)) malformed('/merkle/root', 'is not a 0x-prefixed 32-byte hex string');
  const badElement = Array.isArray(proof) ? proof.findIndex((p) => !isBytes32(p)) : -1;
  if (!Array.isArray(proof)) malformed('/merkle/proof', 'is not an array');
  else if (badElement >= 0) malformed(`/merkle/proof/${badElement}`, 'is not a 0x-prefixed 32-byte hex string');
  if (!isBytes32(value) || !isBytes32(root) || !Array.isArray(proof) || badElement >= 0) return done();

  if (value.toLowerCase() !== claimedDigest) {
    problem(
      ProblemCode.DIGEST_MISMATCH,
      '/merkle/value',
      `event ${index}: merkle.value ${value} is not the digest of eventHash (${claimedDigest})`,
    );
  }
  const reached = rootFromProof(value, proof as string[]);
  report.proofOk = reached === root.toLowerCase();
  if (!report.proofOk)
    problem(
      ProblemCode.PROOF_MISMATCH,
      '/merkle/proof',
      `event ${index}: the Merkle proof leads from merkle.value to ${reached}, not to root ${root}`,
    );

  if (!anchors.length)
    problem(ProblemCode.NOT_ANCHORED, '/anchors', `event ${index}: NOT ANCHORED: its batch is sealed but on no chain yet`);
  await Promise.all(
    anchors.map(async (anchor, a) => {
      const field = `/anchors/${a}`;
      if (!isAnchor(anchor)) {
        malformed(field, 'is not { chainId, contract (address), transactionHash (bytes32), blockNumber, blockHash? (bytes32), status }');
        return;
      }
      const label = `event ${index} anchor on chain ${anchor.chainId}`;
      const anchorReport: AnchorReport = {
        chainId: anchor.chainId,
        contract: anchor.contract,
        transactionHash: anchor.transactionHash,
        blockNumber: anchor.blockNumber,
        outcome: 'UNCHECKED',
      };
      report.anchors[a] = anchorReport;
      const reader = readers.for(anchor.chainId);
      if (!reader) {
        problem(ProblemCode.NO_RPC, field, `${label}: no RPC URL given for chain ${anchor.chainId}`, anchor.chainId);
        return;
      }
      try {
        const checked = await reader.check(anchor, { root, value, proof: proof as string[] });
        for (const f of checked.findings) problem(f.code, field, `${label}: ${f.message}`, anchor.chainId);
        anchorReport.outcome = checked.findings.length ? 'MISMATCH' : 'VERIFIED';
        if (checked.confirmations !== undefined) anchorReport.confirmations = checked.confirmations;
      } catch (e) {
        if (!(e instanceof VerifyError)) throw e;
        problem(ProblemCode.RPC_FAILED, field, `${label}: ${e.message}`, anchor.chainId);
      }
    }),
  );
  return done();
}

function isAnchor(v: unknown): v is BundleAnchor {
  return (
    isObject(v) &&
    isBlock(v.chainId) &&
    typeof v.contract === 'string' &&
    ADDRESS.test(v.contract) &&
    isBytes32(v.transactionHash) &&
    isBlock(v.blockNumber) &&
    (v.blockHash === undefined || isBytes32(v.blockHash))
  );
}

function isSignature(v: unknown): v is BundleSignature {
  if (!isObject(v) || typeof v.signer !== 'string' || typeof v.signature !== 'string' || !isObject(v.typedData)) return false;
  const { domain, types, primaryType, message } = v.typedData;
  return isObject(domain) && isObject(types) && typeof primaryType === 'string' && isObject(message);
}

/**
 * Verifies a proof bundle trusting nothing in it: each event hash is recomputed from the EPCIS event, each proof
 * is walked to its root, each anchor is read back from the chain through the caller's RPC. Bundle content never
 * throws: every mismatch becomes a named problem. Throws VerifyError only for unusable options.
 */
export async function verifyBundle(bundle: unknown, options: VerifyOptions): Promise<VerificationReport> {
  const readers = new Readers(options);
  const problems: Problem[] = [];
  const whole = (code: ProblemCode, field: string, message: string) => problems.push({ code, kind: kindOf(code), field, message });
  const finish = (events: EventReport[], head: { epc?: string; generatedAt?: string } = {}): VerificationReport => {
    const outcome = outcomeOf(problems);
    return { outcome, ok: outcome === 'VERIFIED', ...head, events, problems };
  };

  if (!isObject(bundle)) {
    whole(ProblemCode.MALFORMED_BUNDLE, '', 'the bundle is not a JSON object');
    return finish([]);
  }
  if (bundle.format !== BUNDLE_FORMAT) {
    whole(ProblemCode.UNSUPPORTED_BUNDLE, '/format', `not a ${BUNDLE_FORMAT} (format ${JSON.stringify(bundle.format)})`);
    return finish([]);
  }
  if (bundle.version !== BUNDLE_VERSION) {
    whole(
      ProblemCode.UNSUPPORTED_BUNDLE,
      '/version',
      `bundle version ${JSON.stringify(bundle.version)} is not supported; this verifier reads version ${BUNDLE_VERSION}`,
    );
    return finish([]);
  }
  const head = {
    ...(typeof bundle.epc === 'string' ? { epc: bundle.epc } : {}),
    ...(typeof bundle.generatedAt === 'string' ? { generatedAt: bundle.generatedAt } : {}),
  };
  if (!Array.isArray(bundle.events)) {
    whole(ProblemCode.MALFORMED_BUNDLE, '/events', 'events is not an array');
    return finish([], head);
  }
  if (!bundle.events.length) whole(ProblemCode.EMPTY_BUNDLE, '/events', 'the bundle has no events: it proves nothing');
  const checked = await Promise.all(bundle.events.map((entry, index) => verifyEvent(entry, index, readers)));
  for (const c of checked) problems.push(...c.problems);
  return finish(
    checked.map((c) => c.report),
    head,
  );
}
