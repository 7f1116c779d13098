import { getAddress, verifyTypedData } from 'ethers';
import type { BundleSignature } from './bundle.format';

export type SignatureCheck = { ok: true; signer: string } | { ok: false; reason: 'invalid' | 'signer' | 'commitment'; message: string };

/** Every string reachable in an EIP-712 message, so an attestation may name the event in any field or array. */
function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value.toLowerCase());
  else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => stringsIn(v, out));
  return out;
}

/**
 * Recovers the EIP-712 signer and requires it to equal `signer`, and the signed message to name the event by its
 * CBV 2.0 hash or its 32-byte digest; a valid signature over some other message proves nothing about this event.
 */
export function checkSignature(signature: BundleSignature, eventHash: string, eventDigest: string): SignatureCheck {
  const { typedData } = signature;
  let recovered: string;
  try {
    // ethers derives the domain type itself and refuses it in `types`.
    const { EIP712Domain: _domain, ...types } = typedData.types;
    recovered = verifyTypedData(typedData.domain, types, typedData.message, signature.signature);
  } catch (e) {
    return { ok: false, reason: 'invalid', message: `signature cannot be checked: ${(e as Error).message.split(' (')[0]}` };
  }
  let claimed: string;
  try {
    claimed = getAddress(signature.signer);
  } catch {
    return { ok: false, reason: 'invalid', message: `signer ${JSON.stringify(signature.signer)} is not an address` };
  }
  if (recovered !== claimed) {
    return { ok: false, reason: 'signer', message: `signature recovers signer ${recovered}, bundle says ${claimed}` };
  }
  const named = stringsIn(typedData.message);
  if (!named.includes(eventHash.toLowerCase()) && !named.includes(eventDigest.toLowerCase())) {
    return { ok: false, reason: 'commitment', message: `signed message does not name this event's hash ${eventHash}` };
  }
  return { ok: true, signer: recovered };
}
