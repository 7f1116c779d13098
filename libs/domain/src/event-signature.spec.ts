import { keccak_256 } from '@noble/hashes/sha3';
import fc from 'fast-check';
import {
  EVENT_BATCH_DOMAIN,
  EVENT_BATCH_TYPES,
  eventBatchDigest,
  eventBatchMessage,
  eventBatchTypedData,
  EventSignatureError,
  EventSignatureErrorCode,
} from './event-signature';

const GLN = '0614141000012';
const DIGESTS = [new Uint8Array(32).fill(0xa1), new Uint8Array(32).fill(0xb2)];

const utf8 = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h.slice(2), 'hex'));

/** EIP-712 signing digest written out from the EIP's definitions, independently of any Ethereum library. */
function eip712Digest(typed: ReturnType<typeof eventBatchTypedData>): string {
  const domainType = keccak_256(utf8('EIP712Domain(string name,string version)'));
  const domainSeparator = keccak_256(concat(domainType, keccak_256(utf8(typed.domain.name)), keccak_256(utf8(typed.domain.version))));
  const batchType = keccak_256(utf8('EventBatch(string organization,bytes32[] eventHashes)'));
  const structHash = keccak_256(
    concat(batchType, keccak_256(utf8(typed.message.organization)), keccak_256(concat(...typed.message.eventHashes.map(fromHex)))),
  );
  return hex(keccak_256(concat(Uint8Array.of(0x19, 0x01), domainSeparator, structHash)));
}

describe('eventBatchTypedData', () => {
  it('builds the eth_signTypedData_v4 payload of a document (known answer)', () => {
    expect(eventBatchTypedData(GLN, DIGESTS)).toEqual({
      domain: { name: 'pharmatrace', version: '1' },
      types: {
        EIP712Domain: [
          { name: 'name', type: 'string' },
          { name: 'version', type: 'string' },
        ],
        EventBatch: [
          { name: 'organization', type: 'string' },
          { name: 'eventHashes', type: 'bytes32[]' },
        ],
      },
      primaryType: 'EventBatch',
      message: { organization: GLN, eventHashes: [`0x${'a1'.repeat(32)}`, `0x${'b2'.repeat(32)}`] },
    });
  });

  it('has a fixed EIP-712 signing digest: any change to the layout would void stored signatures', () => {
    expect(eip712Digest(eventBatchTypedData(GLN, DIGESTS))).toBe('0xe07c0cc2bbd1607f9c0a95b2c1947ae8ab485520229117bcb2eaebf14f778025');
    expect(hex(eventBatchDigest(GLN, DIGESTS))).toBe('0xe07c0cc2bbd1607f9c0a95b2c1947ae8ab485520229117bcb2eaebf14f778025');
  });

  it('computes the signing digest of its typed data, for any batch', () => {
    const gln = fc.stringMatching(/^\d{13}$/);
    fc.assert(
      fc.property(gln, fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 20 }), (g, digests) => {
        expect(hex(eventBatchDigest(g, digests))).toBe(eip712Digest(eventBatchTypedData(g, digests)));
      }),
    );
  });

  it('leaves the shared constants untouched when a payload is changed', () => {
    const typed = eventBatchTypedData(GLN, DIGESTS);
    typed.types.EventBatch[0].name = 'x';
    typed.domain.name = 'x';
    expect(EVENT_BATCH_TYPES.EventBatch[0].name).toBe('organization');
    expect(EVENT_BATCH_DOMAIN.name).toBe('pharmatrace');
  });

  it('keeps every digest, in order, as lowercase 0x hex of 32 bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 50 }), (digests) => {
        const { eventHashes } = eventBatchMessage(GLN, digests);
        expect(eventHashes.map(fromHex)).toEqual(digests);
        eventHashes.forEach((h) => expect(h).toMatch(/^0x[0-9a-f]{64}$/));
      }),
    );
  });

  it('names a digest that is not 32 bytes', () => {
    expect(() => eventBatchDigest(GLN, [new Uint8Array(33)])).toThrow(
      expect.objectContaining({ code: EventSignatureErrorCode.MALFORMED_DIGEST, field: 'eventHashes/0' }),
    );
    const error = (() => {
      try {
        eventBatchMessage(GLN, [DIGESTS[0], new Uint8Array(31)]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(EventSignatureError);
    expect(error).toMatchObject({ code: EventSignatureErrorCode.MALFORMED_DIGEST, field: 'eventHashes/1', rule: 'length:32' });
  });

  it('refuses an organization that is not a GLN', () => {
    expect(() => eventBatchMessage('ACME', DIGESTS)).toThrow(
      expect.objectContaining({ code: EventSignatureErrorCode.MALFORMED_GLN, field: 'organization' }),
    );
  });
});
