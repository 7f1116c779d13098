import { AlertCode, VerdictStatus } from '@pharmatrace/domain';
import { inlinePagePolicy } from '../web/inline-page.policy';
import { VerdictType } from './verification.types';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export type Tone = 'ok' | 'warn' | 'stop';

/** What a patient reads: the verdict, what it means, and what to do about it. */
export interface Wording {
  tone: Tone;
  headline: string;
  meaning: string;
  next: string;
}

const RETURN_IT = 'Do not take this medicine. Take it back to the pharmacy that gave it to you, or show it to any pharmacist.';
const NOTHING_TO_DO = 'Nothing to do: use it as your doctor or pharmacist told you, and check the expiry date before each use.';

/** Every status a verdict can have, in words; a new status fails to compile until it has its own. */
export const STATUS_WORDS: Record<VerdictStatus, Wording> = {
  ACTIVE: {
    tone: 'ok',
    headline: 'Genuine pack',
    meaning: 'Its maker registered this pack, and nothing stops its use.',
    next: NOTHING_TO_DO,
  },
  IN_TRANSIT: {
    tone: 'ok',
    headline: 'Genuine pack',
    meaning: 'Its maker registered this pack, and nothing stops its use.',
    next: NOTHING_TO_DO,
  },
  DISPENSED: {
    tone: 'warn',
    headline: 'Genuine pack, already handed to a patient',
    meaning: 'Its maker registered this pack, and a pharmacy recorded it as given to a patient.',
    next: 'If a pharmacy just gave you this pack, this is expected: nothing to do. If you got it any other way, do not take it and show it to a pharmacist.',
  },
  DECOMMISSIONED: {
    tone: 'stop',
    headline: 'Taken out of the supply chain',
    meaning: 'This pack was withdrawn from sale and should not have reached anyone.',
    next: RETURN_IT,
  },
  DESTROYED: {
    tone: 'stop',
    headline: 'Recorded as destroyed',
    meaning: 'This pack was recorded as destroyed: it should not exist any more.',
    next: RETURN_IT,
  },
  STOLEN: {
    tone: 'stop',
    headline: 'Reported stolen',
    meaning: 'This pack was reported stolen: it may not have been stored safely.',
    next: RETURN_IT,
  },
  SAMPLE: {
    tone: 'warn',
    headline: 'Free sample, not for sale',
    meaning: 'This pack is a free sample: it should not have been sold.',
    next: 'If you paid for it, show it to a pharmacist.',
  },
  EXPORTED: {
    tone: 'stop',
    headline: 'Meant for another country',
    meaning: 'This pack was exported and is not approved for sale here.',
    next: RETURN_IT,
  },
  LOCKED: {
    tone: 'stop',
    headline: 'On hold for checks',
    meaning: 'This pack is on hold while it is being investigated.',
    next: RETURN_IT,
  },
  UNKNOWN: {
    tone: 'stop',
    headline: 'Not a registered pack',
    meaning: 'No maker registered this code: the pack may be falsified.',
    next: 'Do not take this medicine. Show the pack to a pharmacist, who can report it.',
  },
  RECALLED: { tone: 'stop', headline: 'Recalled', meaning: 'The maker recalled this batch.', next: RETURN_IT },
  WITHDRAWN: { tone: 'stop', headline: 'Withdrawn from sale', meaning: 'This medicine was withdrawn from the market.', next: RETURN_IT },
  EXPIRED: { tone: 'stop', headline: 'Expired', meaning: 'This pack is past its expiry date.', next: RETURN_IT },
  QUARANTINED: {
    tone: 'stop',
    headline: 'On hold for checks',
    meaning: 'A question about this pack is being investigated by the companies that supplied it.',
    next: RETURN_IT,
  },
};

interface AlertWords {
  /** A finding in a sentence, as listed under the verdict. */
  finding: string;
  /** The verdict when this alert is the most serious one; null for an alert that does not decide (the status does). */
  lead: Wording | null;
  /** Lower leads: a sign of tampering before what it would explain away. */
  rank: number;
}

/** Every alert code in words; a new code fails to compile until it has its own. */
export const ALERT_WORDS: Record<AlertCode, AlertWords> = {
  ANCHORING_FAILED: {
    rank: 0,
    finding: 'Its records no longer match the copy sealed on a public blockchain: they may have been tampered with.',
    lead: {
      tone: 'stop',
      headline: 'Records may have been tampered with',
      meaning: 'The records of this pack no longer match the copy sealed on a public blockchain.',
      next: 'Do not take this medicine until a pharmacist has checked it. Show them this page.',
    },
  },
  UNKNOWN_PRODUCT: { rank: 1, finding: 'No maker registered this product code.', lead: STATUS_WORDS.UNKNOWN },
  UNKNOWN_SERIAL: { rank: 2, finding: 'The maker of this product never registered this serial number.', lead: STATUS_WORDS.UNKNOWN },
  PACK_INACTIVE: { rank: 3, finding: 'The pack is no longer in the supply chain.', lead: null },
  // Between inactive and recalled, as the verdict's status puts it.
  QUARANTINED: { rank: 3.5, finding: 'An open investigation holds this pack.', lead: STATUS_WORDS.QUARANTINED },
  RECALLED: { rank: 4, finding: 'The maker recalled this batch.', lead: STATUS_WORDS.RECALLED },
  WITHDRAWN: { rank: 5, finding: 'This medicine was withdrawn from the market.', lead: STATUS_WORDS.WITHDRAWN },
  EXPIRED: { rank: 6, finding: 'The pack is past its expiry date.', lead: STATUS_WORDS.EXPIRED },
  LOT_MISMATCH: {
    rank: 7,
    finding: 'The batch number in the code differs from the one the maker registered.',
    lead: {
      tone: 'stop',
      headline: 'Batch number does not match',
      meaning: 'The batch number in this code differs from the one the maker registered for the pack: it may be falsified.',
      next: RETURN_IT,
    },
  },
  EXPIRY_MISMATCH: {
    rank: 8,
    finding: 'The expiry date in the code differs from the one the maker registered.',
    lead: {
      tone: 'stop',
      headline: 'Expiry date does not match',
      meaning: 'The expiry date in this code differs from the one the maker registered for the pack: it may be falsified.',
      next: RETURN_IT,
    },
  },
  ALREADY_DISPENSED: { rank: 9, finding: 'A pharmacy recorded this pack as given to a patient.', lead: STATUS_WORDS.DISPENSED },
  NOT_IN_CUSTODY: { rank: 10, finding: 'The records show this pack with another organization.', lead: null },
  ANCHORING_PENDING: {
    rank: 11,
    finding: 'Its latest records are not sealed on the blockchain yet; that usually takes minutes.',
    lead: null,
  },
};

const CANNOT_CONFIRM: Wording = {
  tone: 'stop',
  headline: 'Cannot confirm this pack',
  meaning: 'Something in its records stops its use.',
  next: RETURN_IT,
};

export type PublicVerdict = Pick<VerdictType, 'status' | 'saleable' | 'alerts' | 'product' | 'anchored' | 'checkedOnChain'>;

/**
 * The verdict in words, led by the most serious finding: a tamper sign before a status it may have faked, the
 * pack's own status (stolen, destroyed…) before the dates and batch.
 */
export function publicWording(v: PublicVerdict): { wording: Wording; lead: AlertCode | null } {
  if (v.saleable) return { wording: STATUS_WORDS[v.status], lead: null };
  const [lead] = [...v.alerts].sort((a, b) => ALERT_WORDS[a].rank - ALERT_WORDS[b].rank);
  if (!lead) return { wording: STATUS_WORDS[v.status].tone === 'ok' ? CANNOT_CONFIRM : STATUS_WORDS[v.status], lead: null };
  const wording = ALERT_WORDS[lead].lead ?? STATUS_WORDS[v.status];
  return { wording: wording.tone === 'ok' ? CANNOT_CONFIRM : wording, lead };
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "31 December 2029": an ISO date read the same way everywhere. */
export function longDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}` : iso;
}

const ICONS: Record<Tone, string> = { ok: '✓', warn: '!', stop: '✕' };

const CSS = `body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f4f4f5;color:#111;line-height:1.4}
main{max-width:34rem;margin:0 auto;padding:.75rem}
.verdict{border-radius:12px;padding:1rem;color:#fff}
.verdict h1{display:flex;gap:.75rem;align-items:center;margin:0;font-size:1.6rem;line-height:1.2}
.verdict p{margin:.5rem 0 0;font-size:1.05rem}
.ok{background:#0b6b2e}.warn{background:#ffb000;color:#000}.stop{background:#b00020}
.icon{flex:none;display:inline-grid;place-items:center;width:2.2rem;height:2.2rem;border-radius:50%;background:#fff;color:#111;font-size:1.4rem}
section{background:#fff;border-radius:12px;padding:.75rem 1rem;margin-top:.75rem}
h2{font-size:1.1rem;margin:0 0 .35rem}
.next p{margin:0;font-size:1.05rem}
.product .name{font-size:1.25rem;font-weight:700;margin:0}.product .maker{margin:.15rem 0 .5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem .75rem;margin:0}
dt{font-weight:600}dd{margin:0;min-width:0}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}
ul{margin:0;padding-left:1.2rem}
.seal{color:#444;font-size:.95rem}`;

export const VERDICT_PAGE_CSP = inlinePagePolicy(CSS);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} — pharmatrace</title><link rel="icon" href="data:,">
<style>${CSS}</style></head>
<body><main>
${body}
</main></body></html>`;
}

/**
 * The page a phone camera lands on from a Digital Link QR code: self-contained, nothing loaded from elsewhere, and
 * written for the patient holding the pack, not for a pharmacist: no codes, a decision, and what to do next.
 */
export function verdictPage(v: PublicVerdict, maker?: string | null): string {
  const { wording: w, lead } = publicWording(v);
  const findings = v.alerts.filter((a) => a !== lead && a !== AlertCode.ANCHORING_PENDING).map((a) => ALERT_WORDS[a].finding);
  const rows: [string, string | null | undefined, boolean][] = [
    ['Batch', v.product.lot, true],
    ['Expiry', v.product.expiry && longDate(v.product.expiry), false],
    ['Product code', v.product.gtin, true],
    ['Serial number', v.product.serial, true],
  ];
  const seal = v.checkedOnChain
    ? 'Its records are sealed on a public blockchain, and the seal is confirmed.'
    : v.anchored
      ? 'Its records are sealed on a public blockchain; the seal is being confirmed.'
      : v.status === VerdictStatus.UNKNOWN
        ? ''
        : 'Its latest records are not sealed on the blockchain yet; that usually takes minutes.';
  return page(
    w.headline,
    `<div class="verdict ${w.tone}" role="status" data-status="${esc(v.status)}" data-tone="${w.tone}">
<h1><span class="icon" aria-hidden="true">${ICONS[w.tone]}</span><span class="words">${esc(w.headline)}</span></h1>
<p class="meaning">${esc(w.meaning)}</p></div>
<section class="next"><h2>What to do</h2><p>${esc(w.next)}</p></section>
${findings.length ? `<section class="findings"><h2>Also found</h2><ul>${findings.map((f) => `<li>${esc(f)}</li>`).join('')}</ul></section>` : ''}
<section class="product"><h2>The pack</h2>
<p class="name">${esc(v.product.name ?? (v.status === VerdictStatus.UNKNOWN ? 'Unknown product' : 'Name not registered'))}</p>
${maker ? `<p class="maker">Made by ${esc(maker)}</p>` : ''}
<dl>${rows
      .filter(([, value]) => value)
      .map(([k, value, code]) => `<dt>${esc(k)}</dt><dd${code ? ' class="code"' : ''}>${esc(value!)}</dd>`)
      .join('')}</dl></section>
${seal ? `<p class="seal">${esc(seal)}</p>` : ''}`,
  );
}

/** A link that is not a pack's Digital Link (a damaged or home-made QR code): neither genuine nor false. */
export function unreadablePage(): string {
  return page(
    'Not a medicine pack code',
    `<div class="verdict warn" role="status" data-tone="warn">
<h1><span class="icon" aria-hidden="true">?</span><span class="words">Not a medicine pack code</span></h1>
<p class="meaning">This link does not name a medicine pack, so it cannot be checked.</p></div>
<section class="next"><h2>What to do</h2><p>Scan the square code printed on the pack again, holding the phone steady. If it still fails, show the pack to a pharmacist.</p></section>`,
  );
}
