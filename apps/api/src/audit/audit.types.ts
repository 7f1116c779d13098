import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AuditOutcome, TamperKind } from '@pharmatrace/domain';

registerEnumType(TamperKind, { name: 'TamperKind' });
registerEnumType(AuditOutcome, { name: 'AuditOutcome' });

@ObjectType('TamperFinding', {
  description: 'One difference between the database and the root anchored on chain; also recorded as a TAMPER_DETECTED alert.',
})
export class TamperFindingType {
  @Field(() => Int) batchId: number;
  @Field(() => TamperKind) kind: TamperKind;
  @Field(() => Int, { nullable: true, description: 'The event row concerned (EDITED, INSERTED)' }) eventId?: number;
  @Field(() => String, { nullable: true, description: 'CBV 2.0 event hash of that row as stored' }) eventHash?: string;
  @Field(() => Int, { nullable: true, description: 'Tree node index of the anchored leaf concerned' }) leafIndex?: number;
  @Field(() => String, { nullable: true, description: 'The anchored leaf (0x-hex): what names a DELETED event' }) leafHash?: string;
  @Field() detail: string;
}

@ObjectType('AuditReport', { description: 'A batch rebuilt from the database and compared with what the chain says was anchored for it.' })
export class AuditReportType {
  @Field(() => Int) batchId: number;
  @Field(() => AuditOutcome) outcome: AuditOutcome;
  @Field(() => String, { nullable: true, description: "Root of the batch's Anchored log on chain" }) chainRoot: string | null;
  @Field(() => Int, { nullable: true }) chainLeafCount: number | null;
  @Field(() => String, { nullable: true, description: 'Root rebuilt from the bodies of the event rows now in the batch' }) rebuiltRoot:
    string | null;
  @Field(() => Int) eventCount: number;
  @Field(() => [TamperFindingType]) findings: TamperFindingType[];
  @Field(() => Int, { description: 'Alerts added by this audit (findings alerted before are not raised twice)' }) alertsRecorded: number;
  @Field({
    description: "True when the batch audited clean and an earlier audit's tamper mark was lifted (a TAMPER_CLEARED alert records it)",
  })
  markCleared: boolean;
}
