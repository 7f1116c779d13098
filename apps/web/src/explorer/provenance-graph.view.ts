import cytoscape from 'cytoscape';
import { h } from '../dom';
import type { GraphEdge, GraphNode } from './provenance-graph';

const KIND_NAMES: Record<GraphNode['kind'], string> = { item: 'searched item', container: 'case or pallet', organization: 'organization' };

let current: cytoscape.Core | undefined;

/**
 * Draws the graph with cytoscape into `container` (which must be visible, so it has a size) and lists the nodes it
 * drew in `legend`, the text alternative of the canvas.
 */
export function renderGraph(
  container: HTMLElement,
  legend: HTMLElement,
  graph: { nodes: GraphNode[]; edges: GraphEdge[] },
): cytoscape.Core {
  current?.destroy();
  const cy = cytoscape({
    container,
    elements: [
      ...graph.nodes.map((n) => ({ group: 'nodes' as const, data: { ...n } })),
      ...graph.edges.map((e) => ({ group: 'edges' as const, data: { ...e } })),
    ],
    layout: { name: 'breadthfirst', directed: true, spacingFactor: 1.2, animate: false, padding: 16 },
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    style: [
      {
        selector: 'node',
        style: {
          label: 'data(label)',
          'font-size': 11,
          'text-wrap': 'wrap',
          'text-max-width': '140px',
          'text-valign': 'bottom',
          'text-margin-y': 4,
          width: 26,
          height: 26,
        },
      },
      { selector: 'node[kind = "item"]', style: { 'background-color': '#1a4fd6', shape: 'round-rectangle' } },
      { selector: 'node[kind = "container"]', style: { 'background-color': '#8a5a00', shape: 'rectangle' } },
      { selector: 'node[kind = "organization"]', style: { 'background-color': '#0b6b2e', shape: 'ellipse' } },
      {
        selector: 'edge',
        style: {
          label: 'data(label)',
          'font-size': 9,
          'curve-style': 'bezier',
          'target-arrow-shape': 'triangle',
          width: 2,
          'line-color': '#888',
          'target-arrow-color': '#888',
          'text-background-color': '#fff',
          'text-background-opacity': 1,
        },
      },
      { selector: 'edge[kind = "shipped"]', style: { 'line-color': '#0b6b2e', 'target-arrow-color': '#0b6b2e' } },
      { selector: 'edge[kind = "holds"]', style: { 'line-style': 'dashed' } },
    ],
  });
  current = cy;
  legend.replaceChildren(
    ...cy
      .nodes()
      .map((n) =>
        h(
          'li',
          { 'data-kind': n.data('kind'), 'data-level': String(n.data('level')), 'data-id': n.id() },
          `${n.data('label')} — ${KIND_NAMES[n.data('kind') as GraphNode['kind']]}`,
        ),
      ),
  );
  container.dataset.nodes = String(cy.nodes().length);
  container.dataset.edges = String(cy.edges().length);
  return cy;
}
