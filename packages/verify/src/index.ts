export { ANCHOR_REGISTRY_READ_ABI } from './anchor-registry.abi';
export * from './bundle.format';
export { verifyBundle, type VerifyOptions } from './bundle.verifier';
export { eventHash, type EventHashResult, hashDigest } from './cbv/event-hash';
export { leafOf, rootFromProof } from './merkle-proof';
export { formatReport } from './report.printer';
export { checkSignature, type SignatureCheck } from './signature.check';
export * from './verification.report';
export { VerifyError, VerifyErrorCode } from './verify.error';
