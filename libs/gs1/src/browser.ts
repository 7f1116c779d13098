/** What the pages (apps/web, bundled by Vite for the browser) may use: pure code that needs no Node module. */
export { gs1CheckDigit, isValidGtin, isValidSscc, toGtin14 } from './check-digit';
