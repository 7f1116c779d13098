import { hexToBytes } from '@noble/hashes/utils';
import { MerkleError, MerkleErrorCode } from './merkle-error';

/**
 * 0x-prefixed lowercase hex, the form OpenZeppelin's merkle-tree and ethers print. Buffer's native encoder
 * gives one flat string; noble's bytesToHex concatenates per byte, and the rope V8 keeps for that
 * measured ~1 KiB per 32-byte value (100k values: 113 MiB of heap).
 */
export function hex(bytes: Uint8Array): string {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Accepts hex with or without 0x; `field` names the argument in the error. */
export function fromHex(text: string, field = 'hex'): Uint8Array {
  const body = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
    throw new MerkleError(MerkleErrorCode.BAD_HEX, field, 'must be an even number of hex digits, optionally 0x-prefixed');
  }
  return hexToBytes(body);
}
