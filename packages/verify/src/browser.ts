/** What a page checks in the browser: no Node built-ins behind this entry (the CLI and the CBV hashing use them). */
export { ANCHOR_REGISTRY_READ_ABI } from './anchor-registry.abi';
export { leafOf, rootFromProof } from './merkle-proof';
