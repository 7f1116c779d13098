import { GsSubstitute, parseGsSubstitute } from './scan-code';

const API_KEY = 'pharmatrace.apiKey';
const GS_SUBSTITUTE = 'pharmatrace.gsSubstitute';

/** The pharmacy's settings, kept in this browser only. */
export const settings = {
  apiKey: (): string | undefined => localStorage.getItem(API_KEY) ?? undefined,
  setApiKey: (key: string) => localStorage.setItem(API_KEY, key.trim()),
  forgetApiKey: () => localStorage.removeItem(API_KEY),
  gsSubstitute(): GsSubstitute | undefined {
    try {
      return parseGsSubstitute(localStorage.getItem(GS_SUBSTITUTE));
    } catch {
      localStorage.removeItem(GS_SUBSTITUTE);
      return undefined;
    }
  },
  setGsSubstitute(value: string) {
    const parsed = parseGsSubstitute(value);
    if (parsed) localStorage.setItem(GS_SUBSTITUTE, parsed);
    else localStorage.removeItem(GS_SUBSTITUTE);
  },
};
