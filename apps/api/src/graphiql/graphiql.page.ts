import { VENDOR_SCRIPT_PAGE_POLICY } from '../web/inline-page.policy';
import type { ApolloServerPlugin } from '@apollo/server';

/**
 * GraphiQL served from our own origin: pharmacies and CI run on closed networks, so no CDN. The React and GraphiQL
 * bundles are copied from their packages into dist/web/vendor by the web build (apps/web/vendor-files.plugin.mts);
 * the page's own start-up script is a file too, so the page runs under a CSP without 'unsafe-inline' scripts.
 */
export const GRAPHIQL_VENDOR_FILES = [
  'react.production.min.js',
  'react-dom.production.min.js',
  'graphiql.min.js',
  'graphiql.min.css',
] as const;

/** The query GraphiQL opens with: answered by anyone, so a newcomer sees a result before finding a key. */
export const GRAPHIQL_DEFAULT_QUERY = `# Welcome to pharmatrace's GraphQL API.
# Most fields need an API key: open "Headers" below and set
#   { "Authorization": "Bearer <your API key>" }
# (\`npm run demo\` prints development keys; the admin token is in the start banner).
# Press the run button (or Ctrl-Enter) to send this query.
{
  __typename
}
`;

export const GRAPHIQL_BOOT_JS = `(() => {
  const root = document.getElementById('graphiql');
  if (!window.GraphiQL || !window.React || !window.ReactDOM) {
    root.textContent = 'GraphiQL could not load its scripts from this server. Run "npm run build" on the server, then reload.';
    return;
  }
  const fetcher = GraphiQL.createFetcher({ url: location.origin + '/graphql' });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: ${JSON.stringify(GRAPHIQL_DEFAULT_QUERY)},
      defaultEditorToolsVisibility: 'headers',
      defaultHeaders: JSON.stringify({ Authorization: 'Bearer <your API key>' }, null, 2),
    }),
  );
})();
`;

export const GRAPHIQL_CONTENT_SECURITY_POLICY = VENDOR_SCRIPT_PAGE_POLICY;

export const GRAPHIQL_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>pharmatrace GraphQL</title>
  <link rel="stylesheet" href="/graphiql/assets/graphiql.min.css" />
  <link rel="stylesheet" href="/graphiql/assets/graphiql.page.css" />
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/assets/react.production.min.js"></script>
  <script src="/graphiql/assets/react-dom.production.min.js"></script>
  <script src="/graphiql/assets/graphiql.min.js"></script>
  <script src="/graphiql/assets/graphiql.boot.js"></script>
</body>
</html>`;

export const GRAPHIQL_PAGE_CSS = 'html, body, #graphiql { height: 100%; margin: 0; }\n';

/** Replaces Apollo's landing page (which loads from a CDN) with the offline GraphiQL above, at GET /graphql. */
export function offlineGraphiqlPlugin(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: GRAPHIQL_HTML };
        },
      };
    },
  };
}
