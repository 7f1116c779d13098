import { GS, GsSubstitute, isGsSubstitute, visibleControls } from './scan-code';

/** Chosen so one scan shows every keyboard-wedge fault: mixed-case letters, a Y and a Z of each case, a GS. */
export const SELF_TEST_PACK = { gtin: '09506000134352', expiry: '291231', lot: 'AbYz7', serial: 'yZq9K' } as const;
const P = SELF_TEST_PACK;
export const SYMBOLOGY_ID = ']d2';
/** The element string in bwip-js's bracketed notation, which encodes the FNC1 separators itself. */
export const SELF_TEST_ELEMENT_STRING = `(01)${P.gtin}(17)${P.expiry}(10)${P.lot}(21)${P.serial}`;
/** What a correctly set up scanner transmits for the test code. */
export const SELF_TEST_EXPECTED = `${SYMBOLOGY_ID}01${P.gtin}17${P.expiry}10${P.lot}${GS}21${P.serial}`;

export type SelfTestCheckId = 'symbology' | 'group-separator' | 'letter-case' | 'keyboard-layout' | 'other-characters';

export interface SelfTestCheck {
  id: SelfTestCheckId;
  ok: boolean;
  title: string;
  finding: string;
  /** What to change, in the scanner's settings or on this page, when not ok. */
  fix?: string;
}

export interface SelfTestReport {
  received: string;
  ok: boolean;
  checks: SelfTestCheck[];
  /** The character the scanner sends in place of GS, when it is one this page can turn back. */
  detectedGsSubstitute?: GsSubstitute;
}

const FIXED_HEAD = `01${P.gtin}17${P.expiry}10`;

type LetterFault = 'case' | 'yz' | 'other';

const flipCase = (c: string) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
const swapYz = (c: string) => ({ y: 'z', z: 'y', Y: 'Z', Z: 'Y' })[c] ?? c;

function letterFaults(expected: string, received: string): LetterFault[] {
  const faults: LetterFault[] = [];
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const r = received[i];
    if (r === e) continue;
    if (r === swapYz(e)) faults.push('yz');
    else if (r === flipCase(e)) faults.push('case');
    else if (r === flipCase(swapYz(e))) faults.push('yz', 'case');
    else faults.push('other');
  }
  return faults;
}

function caseFinding(letters: string): string {
  const alpha = letters.replace(/[^A-Za-z]/g, '');
  if (alpha === alpha.toUpperCase()) return 'letters arrive all in UPPER case';
  if (alpha === alpha.toLowerCase()) return 'letters arrive all in lower case';
  return 'upper and lower case arrive swapped';
}

/** Splits what arrived into symbology identifier, lot, separator and serial, by position: the test code's layout is known. */
function split(received: string) {
  const prefixLength = received.startsWith(FIXED_HEAD.slice(0, 2)) && !received.startsWith(SYMBOLOGY_ID) ? 0 : SYMBOLOGY_ID.length;
  const prefix = received.slice(0, prefixLength);
  const body = received.slice(prefixLength);
  const head = body.slice(0, FIXED_HEAD.length);
  const lot = body.slice(FIXED_HEAD.length, FIXED_HEAD.length + P.lot.length);
  const rest = body.slice(FIXED_HEAD.length + P.lot.length);
  const separator = rest.startsWith('21') && rest.length === 2 + P.serial.length ? '' : rest.slice(0, 1);
  const serialPart = rest.slice(separator.length);
  return { prefix, head, lot, separator, ai21: serialPart.slice(0, 2), serial: serialPart.slice(2) };
}

/** Tells, check by check, what a keyboard-wedge scanner did to the self-test code, and what setting to change. */
export function analyseSelfTestScan(raw: string, pageSubstitute: GsSubstitute | undefined): SelfTestReport {
  const received = raw.replace(/[\r\n]+$/, '');
  const parts = split(received);
  const checks: SelfTestCheck[] = [];

  checks.push(
    parts.prefix === SYMBOLOGY_ID
      ? {
          id: 'symbology',
          ok: true,
          title: 'Symbology identifier',
          finding: `${SYMBOLOGY_ID} received: the code is read as GS1 DataMatrix.`,
        }
      : {
          id: 'symbology',
          ok: false,
          title: 'Symbology identifier',
          finding: parts.prefix ? `received "${visibleControls(parts.prefix)}" instead of ${SYMBOLOGY_ID}` : `${SYMBOLOGY_ID} missing`,
          fix: 'In the scanner settings, enable transmission of the AIM symbology identifier ("AIM ID" / "Code ID prefix: AIM").',
        },
  );

  const detected = parts.separator && parts.separator !== GS && isGsSubstitute(parts.separator) ? parts.separator : undefined;
  if (parts.separator === GS) {
    checks.push({ id: 'group-separator', ok: true, title: 'Group separator (GS)', finding: 'GS received as is.' });
  } else if (parts.separator === '') {
    checks.push({
      id: 'group-separator',
      ok: false,
      title: 'Group separator (GS)',
      finding: 'GS missing: the scanner drops it, so a lot cannot be told from the serial after it.',
      fix: `In the scanner settings, transmit GS/FNC1 (often "send GS as Ctrl+]"), or have it send a substitute such as | and choose the same character as "GS substitute" on the scan page.`,
    });
  } else if (detected && detected === pageSubstitute) {
    checks.push({
      id: 'group-separator',
      ok: true,
      title: 'Group separator (GS)',
      finding: `GS arrives as "${detected}", which this page's GS substitute setting turns back into GS.`,
    });
  } else {
    checks.push({
      id: 'group-separator',
      ok: false,
      title: 'Group separator (GS)',
      finding: `GS replaced by "${visibleControls(parts.separator)}".`,
      fix: detected
        ? `Set "GS substitute" on the scan page to "${detected}".`
        : `Set the scanner to send GS (Ctrl+]) or one of the substitutes this page understands: | ~ ^ # @ $ { } \\ \``,
    });
  }

  const letters = letterFaults(P.lot + P.serial, parts.lot + parts.serial);
  const casePositions = letters.filter((f) => f === 'case').length;
  checks.push(
    casePositions === 0
      ? { id: 'letter-case', ok: true, title: 'Letter case', finding: `${P.lot} / ${P.serial} received with case preserved.` }
      : {
          id: 'letter-case',
          ok: false,
          title: 'Letter case',
          finding: `${caseFinding(parts.lot + parts.serial)}: received ${parts.lot} / ${parts.serial}, printed ${P.lot} / ${P.serial}.`,
          fix: 'Switch Caps Lock off on this computer, and turn off any "case conversion" in the scanner settings (set it to "no case conversion").',
        },
  );
  checks.push(
    letters.includes('yz')
      ? {
          id: 'keyboard-layout',
          ok: false,
          title: 'Keyboard layout (Y/Z)',
          finding: `Y and Z arrive swapped: the scanner types for a QWERTY keyboard while this computer uses QWERTZ (German, Swiss, Central European), or the reverse.`,
          fix: 'In the scanner settings, set the keyboard country/language to this computer\'s keyboard layout (or enable its "universal"/Alt-code keyboard mode).',
        }
      : { id: 'keyboard-layout', ok: true, title: 'Keyboard layout (Y/Z)', finding: 'Y and Z arrive as printed.' },
  );

  const headOk = parts.head === FIXED_HEAD && parts.ai21 === '21';
  const otherOk = headOk && !letters.includes('other') && parts.serial.length === P.serial.length;
  checks.push(
    otherOk
      ? { id: 'other-characters', ok: true, title: 'Digits and other characters', finding: 'All other characters arrive as printed.' }
      : {
          id: 'other-characters',
          ok: false,
          title: 'Digits and other characters',
          finding: `expected "${visibleControls(SELF_TEST_EXPECTED)}", received "${visibleControls(received)}"`,
          fix: "Set the scanner's keyboard country to this computer's layout (e.g. a French AZERTY layout turns digits into &é\"'(…), and scan the test code again.",
        },
  );

  return { received, ok: checks.every((c) => c.ok), checks, detectedGsSubstitute: detected };
}
