import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { OrganizationEntity } from '../entities';
import { queryRows } from './sql-query';

/** A verified signature over a capture document, stored in the capture's transaction. */
export interface NewCaptureSignature {
  organizationId: string;
  /** GLN named in the signed message. */
  organizationGln: string;
  /** EIP-55 checksummed address the signature recovers. */
  signer: string;
  /** 65 bytes r ‖ s ‖ v. */
  signature: Buffer;
  /** Version of the typed-data layout signed (EVENT_BATCH_VERSION). */
  typedDataVersion: string;
  /** The signed event digests, in document order. */
  eventHashes: Buffer[];
}

export interface StoredCaptureSignature extends Omit<NewCaptureSignature, 'organizationId'> {
  id: number;
  organizationId: string;
}

// Rows as node-postgres answers them: bigint ids are strings, turned into numbers where they are read.

interface SignatureIdRow {
  id: string;
}

interface SigningKeyRow {
  eth_address: string | null;
  require_signed_captures: boolean;
}

interface SignatureLinkRow {
  id: string;
  /** Never null here: the query skips unsigned events. */
  signature_id: string;
}

interface CaptureSignatureRow {
  id: string;
  organization_id: string;
  organization_gln: string;
  signer: string;
  signature: Buffer;
  typed_data_version: string;
  /** bytea[]: one Buffer each. */
  event_hashes: Buffer[];
}

/**
 * Stores a document's signature and points the events the capture inserted to it. Called inside the capture
 * transaction, so events and their signature are committed together or not at all. Events already stored keep
 * the signature (or none) they were first captured with: a later signed re-capture proves nothing new about them.
 */
export async function attachCaptureSignature(tx: EntityManager, signature: NewCaptureSignature, eventIds: number[]): Promise<void> {
  if (!eventIds.length) return;
  const [{ id }] = await queryRows<SignatureIdRow>(
    tx,
    `INSERT INTO capture_signature (organization_id, organization_gln, signer, signature, typed_data_version, event_hashes)
     VALUES ($1, $2, $3, $4, $5, $6::bytea[]) RETURNING id`,
    [
      signature.organizationId,
      signature.organizationGln,
      signature.signer,
      signature.signature,
      signature.typedDataVersion,
      signature.eventHashes,
    ],
  );
  // The events were stored by this transaction, so they carry its record time: one month's partition to update.
  await tx.query(`UPDATE event SET signature_id = $1 WHERE id = ANY($2::bigint[]) AND record_time = (SELECT event_record_time())`, [
    id,
    eventIds,
  ]);
}

@Injectable()
export class SignatureRepository {
  constructor(private readonly db: DataSource) {}

  /** Sets the organization's signing address (EIP-55 checksummed by the caller) and whether it requires signed captures. */
  async registerSigningAddress(organizationId: string, address: string, requireSignedCaptures: boolean): Promise<OrganizationEntity> {
    await this.db.query(`UPDATE organization SET eth_address = $2, require_signed_captures = $3 WHERE id = $1`, [
      organizationId,
      address,
      requireSignedCaptures,
    ]);
    return this.db.getRepository(OrganizationEntity).findOneByOrFail({ id: organizationId });
  }

  /**
   * The organization's signing settings as stored now: the authenticated organization may be cached, and a revoked
   * key must stop being accepted at once.
   */
  async signingKeyOf(organizationId: string): Promise<{ ethAddress: string | null; requireSignedCaptures: boolean }> {
    const [row] = await queryRows<SigningKeyRow>(this.db, `SELECT eth_address, require_signed_captures FROM organization WHERE id = $1`, [
      organizationId,
    ]);
    return { ethAddress: row?.eth_address ?? null, requireSignedCaptures: row?.require_signed_captures ?? false };
  }

  /**
   * The signatures of the given events: each event id with its signature's id, and every signature once, since
   * one signature (holding all of its document's digests) usually covers many of the events asked for.
   */
  async signaturesFor(
    eventIds: readonly number[],
  ): Promise<{ byEvent: Map<number, number>; signatures: Map<number, StoredCaptureSignature> }> {
    const byEvent = new Map<number, number>();
    const signatures = new Map<number, StoredCaptureSignature>();
    if (!eventIds.length) return { byEvent, signatures };
    const links = await queryRows<SignatureLinkRow>(
      this.db,
      `SELECT id, signature_id FROM event WHERE id = ANY($1::bigint[]) AND signature_id IS NOT NULL`,
      [eventIds],
    );
    if (!links.length) return { byEvent, signatures };
    for (const l of links) byEvent.set(Number(l.id), Number(l.signature_id));
    const rows = await queryRows<CaptureSignatureRow>(
      this.db,
      `SELECT id, organization_id, organization_gln, signer, signature, typed_data_version, event_hashes
       FROM capture_signature WHERE id = ANY($1::bigint[])`,
      [[...new Set(byEvent.values())]],
    );
    for (const r of rows) {
      signatures.set(Number(r.id), {
        id: Number(r.id),
        organizationId: r.organization_id,
        organizationGln: r.organization_gln,
        signer: r.signer,
        signature: r.signature,
        typedDataVersion: r.typed_data_version,
        eventHashes: r.event_hashes,
      });
    }
    return { byEvent, signatures };
  }
}
