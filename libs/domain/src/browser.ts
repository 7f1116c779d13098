/** What the pages (apps/web, bundled by Vite for the browser) may use: the verdict and case vocabulary the API answers with. */
export { AlertCode, VerdictStatus } from './verdict';
// The explorer offers the actions this function allows (to the role the server gives it), so the pages and the server never disagree.
export { CaseCategory, CaseResolution, CaseState, decideCaseAction } from './exception-case';
