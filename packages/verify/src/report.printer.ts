import type { EventReport, VerificationReport } from './verification.report';

const mark = (ok: boolean | undefined) => (ok === undefined ? '-' : ok ? 'ok' : 'FAIL');

function anchorsCell(event: EventReport): string {
  if (!event.anchors.length) return 'none';
  return event.anchors
    .map(
      (a) =>
        `${a.chainId} block ${a.blockNumber}${a.confirmations === undefined ? '' : `, ${a.confirmations} conf.`}${a.outcome === 'VERIFIED' ? '' : ` ${a.outcome}`}`,
    )
    .join('; ');
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd(),
  );
}

const VERDICT = {
  VERIFIED: () => 'VERIFIED: every event hash, Merkle proof and anchor checks out against the chain',
  MISMATCH: (r: VerificationReport) =>
    `MISMATCH: ${r.problems.filter((p) => p.kind === 'mismatch').length} problem(s) above; do not trust this bundle`,
  NOT_ANCHORED: (r: VerificationReport) =>
    `NOT ANCHORED: ${r.events.filter((e) => e.outcome === 'NOT_ANCHORED').length} event(s) are on no chain yet; everything else verifies`,
  UNCHECKED: () => 'UNCHECKED: some anchors could not be read from their chain (see above)',
} as const;

/** The CLI's human output: one row per event, then every problem by name, then the verdict. */
export function formatReport(report: VerificationReport): string {
  const lines = [
    `pharmatrace-verify: ${report.epc ?? '(no epc)'}, ${report.events.length} event(s), bundle generated ${report.generatedAt ?? '(unknown)'}`,
  ];
  if (report.events.length) {
    const header = ['#', 'event', 'time', 'hash', 'proof', 'signature', 'anchors', 'result'];
    const rows = report.events.map((e) => [
      String(e.index),
      e.summary || '?',
      e.eventTime ?? '?',
      mark(e.eventHash ? e.hashOk : undefined),
      mark(e.proofOk),
      e.signatureOk === undefined ? '-' : e.signatureOk ? `ok ${e.signer}` : 'FAIL',
      anchorsCell(e),
      e.outcome,
    ]);
    lines.push(...table([header, ...rows]).map((l) => `  ${l}`));
  }
  if (report.problems.length) lines.push('problems:', ...report.problems.map((p) => `  ${p.message} [${p.code}]`));
  lines.push(VERDICT[report.outcome](report));
  return lines.join('\n');
}
