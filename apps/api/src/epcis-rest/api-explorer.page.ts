import { VENDOR_SCRIPT_PAGE_POLICY } from '../web/inline-page.policy';

/**
 * The EPCIS REST API explorer: Swagger UI over our OpenAPI document, served from our own origin (closed networks,
 * no CDN). Its bundle and stylesheet are copied from swagger-ui-dist into dist/web/vendor by the web build; the
 * start-up script is a file, so the page runs under a CSP without inline scripts.
 */
export const API_EXPLORER_VENDOR_FILES = ['swagger-ui-bundle.js', 'swagger-ui.css'] as const;

export const API_EXPLORER_BOOT_JS = `(() => {
  const root = document.getElementById('swagger-ui');
  if (!window.SwaggerUIBundle) {
    root.textContent = 'The API explorer could not load its scripts from this server. Run "npm run build" on the server, then reload.';
    return;
  }
  window.ui = SwaggerUIBundle({
    url: location.origin + '/epcis/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The key is typed by the user into "Authorize" and kept only in this page's memory.
    persistAuthorization: false,
    displayRequestDuration: true,
    // No badge fetched from swagger.io: nothing leaves this origin.
    validatorUrl: null,
  });
})();
`;

export const API_EXPLORER_PAGE_CSS = `body { margin: 0; font-family: system-ui, sans-serif; }
header.pharmatrace { padding: 8px 20px; background: #0b3d2e; color: #fff; font-size: 14px; }
header.pharmatrace a { color: #cde; }
`;

/** Swagger UI sets style attributes at run time and draws its icons as data: SVGs. */
export const API_EXPLORER_CONTENT_SECURITY_POLICY = VENDOR_SCRIPT_PAGE_POLICY;

export const API_EXPLORER_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>pharmatrace · EPCIS REST API explorer</title>
  <link rel="icon" href="data:," />
  <link rel="stylesheet" href="/epcis/explorer/assets/swagger-ui.css" />
  <link rel="stylesheet" href="/epcis/explorer/assets/api-explorer.page.css" />
</head>
<body>
  <header class="pharmatrace">pharmatrace · GS1 EPCIS 2.0 REST binding · the document: <a href="/epcis/openapi.json">/epcis/openapi.json</a> ·
    set your API key with <b>Authorize</b></header>
  <div id="swagger-ui"></div>
  <script src="/epcis/explorer/assets/swagger-ui-bundle.js"></script>
  <script src="/epcis/explorer/assets/api-explorer.boot.js"></script>
</body>
</html>
`;
