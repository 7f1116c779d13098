import { h } from '../dom';
import type { Lot, LotPack } from './explorer.queries';
import { epcLabel } from './provenance-graph';

const charts = new Map<HTMLCanvasElement, { destroy(): void }>();

/** Chart.js is loaded with the first lot view only; the pack view never needs it. */
async function barChart(canvas: HTMLCanvasElement, title: string, labels: string[], counts: number[], colour: string): Promise<void> {
  const { Chart, BarController, BarElement, CategoryScale, LinearScale, Title, Tooltip } = await import('chart.js');
  Chart.register(BarController, BarElement, CategoryScale, LinearScale, Title, Tooltip);
  charts.get(canvas)?.destroy();
  const chart = new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: 'packs', data: counts, backgroundColor: colour }] },
    options: {
      indexAxis: 'y',
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { title: { display: true, text: title }, legend: { display: false } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  charts.set(canvas, chart);
  canvas.dataset.points = String(chart.data.datasets[0].data.length);
}

/** The counts behind a chart as a table: the chart's text alternative. */
function countsTable(table: HTMLTableElement, heading: string, rows: [string, number][]): void {
  table.replaceChildren(
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, heading), h('th', { scope: 'col' }, 'Packs'))),
    h('tbody', {}, ...rows.map(([label, count]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, String(count))))),
  );
}

export interface LotElements {
  title: HTMLElement;
  status: HTMLElement;
  statusChart: HTMLCanvasElement;
  statusTable: HTMLTableElement;
  custodianChart: HTMLCanvasElement;
  custodianTable: HTMLTableElement;
}

export async function renderLot(el: LotElements, lot: Lot): Promise<void> {
  el.title.textContent = `Lot ${lot.lot} · GTIN ${lot.gtin}`;
  el.status.className = lot.recalled ? 'lot-status recalled' : 'lot-status';
  el.status.textContent = lot.recalled
    ? `RECALLED${lot.reason ? ` — ${lot.reason}` : ''}`
    : `Active — not recalled${lot.scope === 'ALL' ? '' : ' (counts cover only your packs)'}`;
  const byStatus: [string, number][] = lot.countsByStatus.map((c) => [c.status, c.count]);
  const byCustodian: [string, number][] = lot.countsByCustodian.map((c) => [c.organization?.name ?? 'In transit / unregistered', c.count]);
  countsTable(el.statusTable, 'Status', byStatus);
  countsTable(el.custodianTable, 'Custodian', byCustodian);
  await Promise.all([
    barChart(
      el.statusChart,
      'Packs by status',
      byStatus.map(([l]) => l),
      byStatus.map(([, c]) => c),
      '#1a4fd6',
    ),
    barChart(
      el.custodianChart,
      'Packs by custodian',
      byCustodian.map(([l]) => l),
      byCustodian.map(([, c]) => c),
      '#0b6b2e',
    ),
  ]);
}

export function appendLotPacks(body: HTMLTableSectionElement, packs: LotPack[]): void {
  body.append(
    ...packs.map((p) =>
      h(
        'tr',
        {},
        h('td', {}, h('a', { href: `/explorer?q=${encodeURIComponent(p.epc)}` }, p.serial ?? epcLabel(p.epc))),
        h('td', {}, p.status),
        h('td', {}, p.custodian?.name ?? '—'),
        h('td', { class: 'code' }, p.container ? epcLabel(p.container) : '—'),
      ),
    ),
  );
}
