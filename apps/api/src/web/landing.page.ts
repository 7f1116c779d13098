import { inlinePagePolicy } from './inline-page.policy';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Every link here must answer 200: the browser test follows each one. */
export const LANDING_LINKS: { href: string; title: string; what: string }[] = [
  {
    href: '/scan',
    title: 'Pack check',
    what: 'For pharmacists: scan a pack with a barcode scanner or the camera, get a verdict, dispense.',
  },
  {
    href: '/scan/self-test',
    title: 'Scanner self-test',
    what: 'Checks that a barcode scanner sends GS1 codes unchanged, and says what to fix.',
  },
  {
    href: '/explorer',
    title: 'Explorer',
    what: 'For regulators: a pack’s custody, its events and their proofs checked on chain, and lot recalls.',
  },
  { href: '/graphiql', title: 'GraphiQL', what: 'For developers: try the GraphQL API in the browser (needs an API key).' },
  {
    href: '/epcis/explorer',
    title: 'EPCIS REST API explorer',
    what: "For integrators: GS1's EPCIS 2.0 REST binding as served here, to read and try (needs an API key).",
  },
];

const CSS = `body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f9;color:#111;line-height:1.45}
header{background:#123;color:#fff;padding:.75rem 1rem}header h1{margin:0;font-size:1.4rem}header p{margin:.25rem 0 0}
main{max-width:46rem;margin:0 auto;padding:1rem}
ul{list-style:none;padding:0;margin:0}
.links li{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.75rem 1rem;margin-bottom:.5rem}
.links a{font-size:1.2rem;font-weight:700;color:#1a4fd6}.links p{margin:.25rem 0 0}
.docs li{margin:.25rem 0}code{overflow-wrap:anywhere}
a:focus-visible{outline:3px solid #1a4fd6;outline-offset:2px}`;

export const LANDING_CSP = inlinePagePolicy(CSS);

/** What `/` answers: where to go, in one screen; `docs` are the names the API serves under /docs/ (README.md first). */
export function landingPage(docs: readonly string[]): string {
  const links = LANDING_LINKS.map((l) => `<li><a href="${l.href}">${esc(l.title)}</a><p>${esc(l.what)}</p></li>`).join('');
  const files = docs.map((f) => `<li><a href="/docs/${encodeURIComponent(f)}"><code>${esc(f)}</code></a></li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pharmatrace</title><link rel="icon" href="data:,">
<style>${CSS}</style></head>
<body><header><h1>pharmatrace</h1><p>Traceability of medicine packs: GS1 EPCIS events, pack verification, proofs anchored on a blockchain.</p></header>
<main>
<nav aria-label="Pages"><ul class="links">${links}</ul></nav>
<section aria-labelledby="docs-title"><h2 id="docs-title">Docs</h2>
<p>Reference documentation, as plain text (the same files are in the repository):</p>
<ul class="docs">${files}</ul></section>
</main></body></html>`;
}
