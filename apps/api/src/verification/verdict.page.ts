import { VerdictType } from './verification.types';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** What a person must not misread: colour, icon and words together. */
function headline(v: Pick<VerdictType, 'status' | 'saleable'>): { tone: 'ok' | 'warn' | 'stop'; icon: string; words: string } {
  if (v.saleable && v.status === 'ACTIVE') return { tone: 'ok', icon: '✓', words: 'Genuine and active' };
  if (v.saleable) return { tone: 'warn', icon: '!', words: `Genuine — ${v.status.toLowerCase().replace('_', ' ')}` };
  if (v.status === 'UNKNOWN') return { tone: 'stop', icon: '✕', words: 'Unknown pack — do not supply' };
  return { tone: 'stop', icon: '✕', words: `Do not supply — ${v.status.toLowerCase().replace('_', ' ')}` };
}

/** The page a phone camera lands on from a Digital Link QR code: self-contained, nothing loaded from elsewhere. */
export function verdictPage(v: Pick<VerdictType, 'status' | 'saleable' | 'alerts' | 'product' | 'anchored' | 'checkedOnChain'>): string {
  const h = headline(v);
  const rows: [string, string | undefined][] = [
    ['Product', v.product.name],
    ['GTIN', v.product.gtin],
    ['Serial', v.product.serial],
    ['Lot', v.product.lot],
    ['Expiry', v.product.expiry],
    ['Alerts', v.alerts.length ? v.alerts.join(', ') : 'none'],
    ['History anchored on chain', v.checkedOnChain ? 'yes, final' : v.anchored ? 'yes, awaiting finality' : 'pending'],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(h.words)} — pharmatrace</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f5;color:#111}
main{max-width:32rem;margin:0 auto;padding:1rem}
.verdict{border-radius:12px;padding:1.25rem;color:#fff;display:flex;gap:1rem;align-items:center;font-size:1.5rem;font-weight:700}
.ok{background:#15803d}.warn{background:#b45309}.stop{background:#b91c1c}
.icon{font-size:2.5rem;line-height:1}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1rem;background:#fff;border-radius:12px;padding:1rem}
dt{font-weight:600}dd{margin:0;word-break:break-all}
</style></head>
<body><main>
<div class="verdict ${h.tone}" role="status" data-status="${esc(v.status)}"><span class="icon" aria-hidden="true">${h.icon}</span><span>${esc(h.words)}</span></div>
<dl>${rows.filter(([, value]) => value).map(([k, value]) => `<dt>${esc(k)}</dt><dd>${esc(value!)}</dd>`).join('')}</dl>
</main></body></html>`;
}
