import { GS } from './scan-code';

/**
 * Makes a form's text input the target of a keyboard-wedge scanner. Many scanners type GS as Ctrl+], which a
 * browser would otherwise drop; keys typed while nothing is focused are sent to the input, so a scan is never
 * lost because the pharmacist clicked elsewhere.
 */
export function bindWedgeInput(form: HTMLFormElement, input: HTMLInputElement, onScan: (raw: string) => void): void {
  input.addEventListener('keydown', (e) => {
    if (e.ctrlKey && (e.key === ']' || e.code === 'BracketRight')) {
      e.preventDefault();
      input.setRangeText(GS, input.selectionStart ?? input.value.length, input.selectionEnd ?? input.value.length, 'end');
    }
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const raw = input.value;
    input.value = '';
    if (raw.trim()) onScan(raw);
  });
  document.addEventListener('keydown', (e) => {
    const idle = !document.activeElement || document.activeElement === document.body;
    if (idle && e.key.length === 1 && !e.metaKey && !e.altKey) input.focus();
  });
}
