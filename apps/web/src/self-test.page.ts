import { toCanvas } from 'bwip-js/browser';
import { byId, h } from './dom';
import { visibleControls } from './scan-code';
import { analyseSelfTestScan, SELF_TEST_ELEMENT_STRING, SelfTestReport } from './self-test.analysis';
import { settings } from './settings.store';
import { bindWedgeInput } from './wedge.input';

const canvas = byId<HTMLCanvasElement>('test-code');
const form = byId<HTMLFormElement>('test-form');
const input = byId<HTMLInputElement>('test-input');
const report = byId<HTMLElement>('report');

toCanvas(canvas, {
  bcid: 'gs1datamatrix',
  text: SELF_TEST_ELEMENT_STRING,
  scale: 6,
  paddingwidth: 4,
  paddingheight: 4,
  backgroundcolor: 'ffffff',
});
byId<HTMLButtonElement>('print').addEventListener('click', () => window.print());

function render(r: SelfTestReport, raw: string) {
  const apply = r.detectedGsSubstitute && r.detectedGsSubstitute !== settings.gsSubstitute() ? r.detectedGsSubstitute : undefined;
  const button = apply ? h('button', { type: 'button', id: 'apply-gs' }, `Use “${apply}” as GS substitute on the scan page`) : undefined;
  button?.addEventListener('click', () => {
    settings.setGsSubstitute(apply!);
    render(analyseSelfTestScan(raw, settings.gsSubstitute()), raw);
    input.focus();
  });
  report.replaceChildren(
    h(
      'p',
      { class: `summary tone-${r.ok ? 'ok' : 'stop'}` },
      r.ok ? '✓ Scanner set up correctly' : '✕ Scanner needs adjusting — see below',
    ),
    h('p', {}, 'Received: ', h('code', { class: 'received' }, visibleControls(r.received))),
    h(
      'ul',
      { class: 'checks' },
      ...r.checks.map((c) =>
        h(
          'li',
          { class: c.ok ? 'pass' : 'fail', 'data-check': c.id },
          h('span', { class: 'icon', 'aria-hidden': 'true' }, c.ok ? '✓' : '✕'),
          h(
            'span',
            {},
            h('strong', {}, `${c.title}: ${c.ok ? 'OK' : 'problem'}`),
            h('br'),
            c.finding,
            c.fix ? h('span', { class: 'fix' }, `Fix: ${c.fix}`) : null,
          ),
        ),
      ),
    ),
    ...(button ? [button] : []),
  );
}

bindWedgeInput(form, input, (raw) => render(analyseSelfTestScan(raw, settings.gsSubstitute()), raw));
input.focus();
