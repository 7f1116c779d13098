import { CameraScanner } from './camera.scanner';
import { caseBanner, CASES_ON_PACK_QUERY, CasesOnPack } from './case-banner';
import { caseAlerts } from './case-prefill';
import { byId, h } from './dom';
import { ApiError, ApiErrorCode, graphql } from './graphql.client';
import { GS_SUBSTITUTE_NAMES, GS_SUBSTITUTES, normaliseWedgeScan } from './scan-code';
import { settings } from './settings.store';
import { presentAfterDispense, presentUnreadable, presentVerdict, Verdict, VerdictPresentation } from './verdict.presenter';
import {
  BASELINE,
  CAPABILITIES_QUERY,
  CapabilitiesResult,
  capabilitiesFrom,
  PackMutation,
  packMutation,
  ServerCapabilities,
  verifyQuery,
} from './verdict.query';
import { historyItem, renderVerdict, VerdictAction } from './verdict.view';
import { bindWedgeInput } from './wedge.input';

const keyPanel = byId<HTMLElement>('key-panel');
const keyForm = byId<HTMLFormElement>('key-form');
const keyInput = byId<HTMLInputElement>('api-key');
const keyMessage = byId<HTMLElement>('key-message');
const scanPanel = byId<HTMLElement>('scan-panel');
const scanForm = byId<HTMLFormElement>('scan-form');
const scanInput = byId<HTMLInputElement>('scan-input');
const verdictLive = byId<HTMLElement>('verdict');
const verdictBody = byId<HTMLElement>('verdict-details');
const history = byId<HTMLOListElement>('history');
const cameraToggle = byId<HTMLButtonElement>('camera-toggle');
const cameraStatus = byId<HTMLElement>('camera-status');
const video = byId<HTMLVideoElement>('camera');
const gsSelect = byId<HTMLSelectElement>('gs-substitute');
const forgetKey = byId<HTMLButtonElement>('forget-key');

let capabilities: Promise<ServerCapabilities> | undefined;

/** Read once per key: which optional verdict fields and mutations this server has (another team adds them). */
function serverCapabilities(apiKey: string): Promise<ServerCapabilities> {
  capabilities ??= graphql<CapabilitiesResult>(CAPABILITIES_QUERY, {}, apiKey).then(capabilitiesFrom, () => BASELINE);
  return capabilities;
}

function showKeyPanel(message = '') {
  scanPanel.hidden = true;
  keyPanel.hidden = false;
  keyMessage.textContent = message;
  keyInput.value = '';
  keyInput.focus();
}

function showScanPanel() {
  keyPanel.hidden = true;
  scanPanel.hidden = false;
  scanInput.focus();
}

/** Counts the verdicts shown, so that an answer about an earlier scan never lands under a later one. */
let shown = 0;

function show(p: VerdictPresentation, verdict: Verdict | undefined, raw: string, actions: VerdictAction[] = []) {
  shown++;
  renderVerdict(verdictLive, verdictBody, p, verdict, actions);
  history.prepend(historyItem(p, verdict, raw, new Date()));
}

/**
 * Dispense only where the verdict is a plain "OK": a saleable pack still in transit or in another organization's
 * custody gets a warning, and a button beside it would invite the dispense the warning advises against. After a
 * dispense, its undo (EU FMD allows it for a while at the same pharmacy).
 */
function actionsFor(
  verdict: Verdict,
  code: string,
  raw: string,
  caps: ServerCapabilities,
  apiKey: string,
  justDispensed: boolean,
): VerdictAction[] {
  const offer = (name: PackMutation, label: string): VerdictAction[] =>
    caps.mutations.includes(name) ? [{ id: name, label, run: () => void change(name, code, raw, caps, apiKey) }] : [];
  if (justDispensed) return verdict.status === 'DISPENSED' ? offer('undoDispense', 'Undo dispense') : [];
  if (caseAlerts(verdict.alerts).length) return [{ id: 'open-case', label: 'Open a case', run: () => void startCase(verdict, apiKey) }];
  return verdict.saleable && presentVerdict(verdict).tone === 'ok' ? offer('dispense', 'Dispense this pack') : [];
}

/**
 * The open cases holding the pack, under its verdict: asked once the verdict is on screen, so that it never waits for
 * them. A pack already under a case needs no second one, so the button to open one goes.
 */
async function showCases(epc: string, apiKey: string) {
  const scan = shown;
  try {
    const { cases } = await graphql<CasesOnPack>(CASES_ON_PACK_QUERY, { epc }, apiKey);
    if (scan !== shown || !cases.edges.length) return;
    verdictBody.querySelector('#open-case')?.remove();
    verdictBody.prepend(...cases.edges.map((e) => caseBanner(e.node, new Date())));
  } catch {
    // The verdict stands without it (a server without cases, a network hiccup): the decision is already shown.
  }
}

/** The form loads on the first click only: most scans never open a case. */
async function startCase(verdict: Verdict, apiKey: string) {
  const button = verdictBody.querySelector<HTMLButtonElement>('#open-case');
  if (!button) return;
  const slot = h('div', { class: 'case-slot' });
  button.hidden = true;
  button.after(slot);
  try {
    const { openCaseForm } = await import('./case-form.js');
    await openCaseForm(
      slot,
      verdict,
      presentVerdict(verdict).reasons,
      apiKey,
      () => button.remove(),
      () => {
        slot.remove();
        button.hidden = false;
        button.focus();
      },
    );
  } catch (e) {
    slot.replaceChildren(
      h('p', { class: 'message', role: 'alert' }, `Could not open the case form: ${e instanceof Error ? e.message : String(e)}`),
    );
    button.hidden = false;
  }
}

async function change(name: PackMutation, code: string, raw: string, caps: ServerCapabilities, apiKey: string) {
  verdictBody.querySelectorAll('button').forEach((b) => (b.disabled = true));
  try {
    const { [name]: verdict } = await graphql<Record<PackMutation, Verdict>>(packMutation(name, caps), { code }, apiKey);
    const dispensed = name === 'dispense';
    show(
      dispensed ? presentAfterDispense(verdict) : presentVerdict(verdict),
      verdict,
      raw,
      actionsFor(verdict, code, raw, caps, apiKey, dispensed),
    );
  } catch (e) {
    failed(e, raw);
  }
  scanInput.focus();
}

function failed(e: unknown, raw: string) {
  if (e instanceof ApiError && e.code === ApiErrorCode.UNAUTHENTICATED) {
    settings.forgetApiKey();
    capabilities = undefined;
    showKeyPanel('The server refused this API key: enter the pharmacy’s key again.');
    return;
  }
  if (e instanceof ApiError && e.code === ApiErrorCode.INVALID_CODE) {
    show(presentUnreadable(e.details), undefined, raw);
    return;
  }
  const message = e instanceof Error ? e.message : String(e);
  show({ tone: 'caution', icon: '!', headline: 'Could not check — try again', reasons: [message], notes: [] }, undefined, raw);
}

async function check(code: string, raw: string) {
  const apiKey = settings.apiKey();
  if (!apiKey) return showKeyPanel();
  verdictLive.setAttribute('aria-busy', 'true');
  try {
    const caps = await serverCapabilities(apiKey);
    const { verify } = await graphql<{ verify: Verdict }>(verifyQuery(caps), { code }, apiKey);
    show(presentVerdict(verify), verify, raw, actionsFor(verify, code, raw, caps, apiKey, false));
    void showCases(verify.epc, apiKey);
  } catch (e) {
    failed(e, raw);
  } finally {
    verdictLive.removeAttribute('aria-busy');
  }
}

keyForm.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!keyInput.value.trim()) return;
  settings.setApiKey(keyInput.value);
  capabilities = undefined;
  showScanPanel();
});

forgetKey.addEventListener('click', () => {
  settings.forgetApiKey();
  capabilities = undefined;
  showKeyPanel('Key forgotten.');
});

gsSelect.append(
  h('option', { value: '' }, 'None — the scanner sends GS itself'),
  ...GS_SUBSTITUTES.map((c) => h('option', { value: c }, `${c}  (${GS_SUBSTITUTE_NAMES[c]})`)),
);
gsSelect.value = settings.gsSubstitute() ?? '';
gsSelect.addEventListener('change', () => settings.setGsSubstitute(gsSelect.value));

bindWedgeInput(scanForm, scanInput, (raw) => void check(normaliseWedgeScan(raw, settings.gsSubstitute()), raw));

const camera = new CameraScanner(
  video,
  (code) => void check(code, code),
  (message) => (cameraStatus.textContent = message),
);
cameraToggle.addEventListener('click', async () => {
  if (camera.running) {
    camera.stop();
  } else {
    video.hidden = false;
    try {
      await camera.start();
    } catch (e) {
      camera.stop();
      cameraStatus.textContent = `No camera: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  video.hidden = !camera.running;
  cameraToggle.setAttribute('aria-pressed', String(camera.running));
  cameraToggle.textContent = camera.running ? 'Stop camera' : 'Use camera';
});

if (settings.apiKey()) showScanPanel();
else showKeyPanel();
