import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764064800000 implements MigrationInterface {
  name = 'InitialSchema1764064800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE organization_role AS ENUM ('MANUFACTURER','DISTRIBUTOR','DISPENSER','REGULATOR')`);
    await q.query(`
      CREATE TABLE organization (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        role organization_role NOT NULL,
        gln char(13) NOT NULL UNIQUE,
        company_prefixes text[] NOT NULL DEFAULT '{}',
        api_key_hash bytea NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE anchor_batch (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('SEALED','SUBMITTED','MINED','FINAL','REANCHORED')),
        root bytea NOT NULL UNIQUE CHECK (length(root) = 32),
        leaf_count integer NOT NULL CHECK (leaf_count > 0),
        nodes bytea NOT NULL,
        chain_id bigint,
        contract_address text,
        tx_hash text,
        block_number bigint,
        block_hash text,
        checked_on_chain boolean NOT NULL DEFAULT false,
        sealed_at timestamptz NOT NULL DEFAULT now(),
        submitted_at timestamptz,
        mined_at timestamptz,
        final_at timestamptz,
        CHECK (length(nodes) = (2 * leaf_count - 1) * 32)
      )`);
    await q.query(`CREATE INDEX anchor_batch_open_idx ON anchor_batch (id) WHERE status <> 'FINAL'`);
    await q.query(`
      CREATE TABLE anchor_attempt (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        batch_id bigint NOT NULL REFERENCES anchor_batch(id),
        chain_id bigint NOT NULL,
        from_address text NOT NULL,
        nonce bigint NOT NULL,
        tx_hash text NOT NULL UNIQUE,
        raw_tx text NOT NULL,
        max_fee_per_gas numeric(78,0),
        max_priority_fee_per_gas numeric(78,0),
        status text NOT NULL DEFAULT 'SIGNED' CHECK (status IN ('SIGNED','BROADCAST','MINED','REVERTED','DROPPED')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX anchor_attempt_batch_idx ON anchor_attempt (batch_id)`);
    await q.query(`
      CREATE TABLE event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_hash bytea NOT NULL UNIQUE CHECK (length(event_hash) = 32),
        event_type text NOT NULL,
        action text,
        biz_step text,
        disposition text,
        event_time timestamptz NOT NULL,
        record_time timestamptz NOT NULL DEFAULT now(),
        read_point text,
        biz_location text,
        captured_by uuid NOT NULL REFERENCES organization(id),
        body jsonb NOT NULL,
        batch_id bigint REFERENCES anchor_batch(id),
        leaf_index integer,
        CHECK ((batch_id IS NULL) = (leaf_index IS NULL))
      )`);
    await q.query(`CREATE INDEX event_unbatched_idx ON event (id) WHERE batch_id IS NULL`);
    await q.query(`CREATE INDEX event_batch_idx ON event (batch_id)`);
    await q.query(`
      CREATE TABLE event_epc (
        epc text NOT NULL,
        event_time timestamptz NOT NULL,
        event_id bigint NOT NULL REFERENCES event(id),
        role text NOT NULL CHECK (role IN ('epc','parent','child','input','output')),
        PRIMARY KEY (epc, event_time, event_id, role)
      )`);
    await q.query(`CREATE INDEX event_epc_event_idx ON event_epc (event_id)`);
    await q.query(`
      CREATE TABLE pack_state (
        epc text PRIMARY KEY,
        kind text NOT NULL,
        gtin char(14),
        serial text,
        lot text,
        expiry date,
        status text NOT NULL,
        custodian_id uuid REFERENCES organization(id),
        location text,
        destination text,
        container_epc text,
        commissioned_by uuid REFERENCES organization(id),
        last_event_id bigint NOT NULL REFERENCES event(id),
        last_event_time timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX pack_state_container_idx ON pack_state (container_epc) WHERE container_epc IS NOT NULL`);
    await q.query(`CREATE INDEX pack_state_lot_idx ON pack_state (gtin, lot)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE pack_state`);
    await q.query(`DROP TABLE event_epc`);
    await q.query(`DROP TABLE event`);
    await q.query(`DROP TABLE anchor_attempt`);
    await q.query(`DROP TABLE anchor_batch`);
    await q.query(`DROP TABLE organization`);
    await q.query(`DROP TYPE organization_role`);
  }
}
