/** What the pages (apps/web, bundled by Vite for the browser) may use: the verdict vocabulary the API answers with. */
export { AlertCode, VerdictStatus } from './verdict';
