/** What the pages (apps/web, bundled by Vite for the browser) may use: the verdict and case vocabulary the API answers with. */
export { AlertCode, VerdictStatus } from './verdict';
// The explorer offers the actions this function allows, so the pages and the server never disagree on them.
export { CaseCategory, CaseResolution, CaseState, caseRole, decideCaseAction } from './exception-case';
