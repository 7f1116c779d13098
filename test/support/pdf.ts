/**
 * Reads back the PDFs the product writes (apps/api/src/cases/text-pdf.writer.ts), independently of the writer: checks
 * the structure a reader relies on (header, trailer, startxref, every xref offset pointing at its object, stream
 * lengths) and returns the pages' text, each `(…) Tj` string unescaped.
 */
export interface ReadPdf {
  version: string;
  objectCount: number;
  pageCount: number;
  /** Text of each page, its lines joined with newlines. */
  pages: string[];
}

export function readPdf(bytes: Buffer): ReadPdf {
  const text = bytes.toString('latin1');
  const header = /^%PDF-(\d\.\d)\n/.exec(text);
  if (!header) throw new Error('no %PDF header');
  if (!/%%EOF\s*$/.test(text)) throw new Error('no %%EOF at the end');
  const startxref = /startxref\n(\d+)\n%%EOF\s*$/.exec(text);
  if (!startxref) throw new Error('no startxref');
  const xrefAt = Number(startxref[1]);
  if (!text.startsWith('xref\n', xrefAt)) throw new Error(`startxref ${xrefAt} does not point at the xref table`);
  const section = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt));
  if (!section) throw new Error('no xref subsection');
  const size = Number(section[1]);
  const entries = text
    .slice(xrefAt + section[0].length)
    .split('\n')
    .slice(0, size);
  if (entries[0] !== '0000000000 65535 f ') throw new Error('object 0 is not the free list head');
  const objects = new Map<number, string>();
  for (let n = 1; n < size; n++) {
    const entry = /^(\d{10}) 00000 n $/.exec(entries[n]);
    if (!entry) throw new Error(`xref entry ${n} malformed: ${entries[n]}`);
    const at = Number(entry[1]);
    if (!text.startsWith(`${n} 0 obj\n`, at)) throw new Error(`xref entry ${n} (${at}) does not point at object ${n}`);
    const end = text.indexOf('\nendobj\n', at);
    objects.set(n, text.slice(at + `${n} 0 obj\n`.length, end));
  }
  const trailer = /trailer\n<< \/Size (\d+) \/Root (\d+) 0 R/.exec(text);
  if (!trailer || Number(trailer[1]) !== size) throw new Error('trailer /Size differs from the xref table');
  const catalog = objects.get(Number(trailer[2]));
  const pagesRef = /\/Type \/Catalog \/Pages (\d+) 0 R/.exec(catalog ?? '');
  if (!pagesRef) throw new Error('no catalog');
  const kids = /\/Kids \[([^\]]*)\] \/Count (\d+)/.exec(objects.get(Number(pagesRef[1])) ?? '');
  if (!kids) throw new Error('no page tree');
  const pageIds = [...kids[1].matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  if (pageIds.length !== Number(kids[2])) throw new Error('/Count differs from /Kids');
  const pages = pageIds.map((id) => {
    const contents = /\/Contents (\d+) 0 R/.exec(objects.get(id) ?? '');
    const body = objects.get(Number(contents?.[1])) ?? '';
    const stream = /^<< \/Length (\d+) >>\nstream\n([\s\S]*)\nendstream$/.exec(body);
    if (!stream) throw new Error(`page ${id} has no content stream`);
    if (Number(stream[1]) !== Buffer.byteLength(stream[2], 'latin1')) throw new Error(`page ${id}: /Length differs from the stream`);
    return [...stream[2].matchAll(/\(((?:\\.|[^\\)])*)\) Tj/g)].map((m) => m[1].replace(/\\(.)/g, '$1')).join('\n');
  });
  return { version: header[1], objectCount: size - 1, pageCount: pageIds.length, pages };
}
