/**
 * CBV 2.0 vocabulary values arrive in three spellings: the bare word of EPCIS 2.0 JSON-LD ("shipping"),
 * the CBV 1.x URN ("urn:epcglobal:cbv:bizstep:shipping") and the GS1 Web URI
 * ("https://ref.gs1.org/cbv/BizStep-shipping"). Rules compare the bare word.
 */
export function cbvShortName(value: string | null | undefined): string | null {
  if (!value) return null;
  const urn = /^urn:epcglobal:cbv:(?:bizstep|disp|btt|sdt|er):(.+)$/.exec(value);
  if (urn) return urn[1];
  const web = /^https?:\/\/ref\.gs1\.org\/cbv\/(?:BizStep|Disp|BTT|SDT|ER)-(.+)$/.exec(value);
  if (web) return web[1];
  return value;
}
