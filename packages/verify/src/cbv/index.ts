/**
 * The CBV 2.0 event-hash core, published with the verifier and used by the platform itself (libs/epcis imports it as
 * `pharmatrace-verify/cbv`), so the hash a regulator recomputes and the one we store come from one implementation.
 */
export * from './epc-normaliser';
export * from './event-tree';
export * from './prehash';
export * from './timestamp';
