/**
 * A minimal PDF 1.4 writer for printable forms: text only, the standard Helvetica and Helvetica-Bold fonts (every
 * reader has them, nothing embedded), Letter pages, uncompressed content streams. The product needs one printable
 * form (the prefilled Form FDA 3911) and no PDF library is among its dependencies; this is a few dozen lines where a
 * library would be a new dependency with its own fonts and image codecs to keep patched. Pure: no Nest, no I/O.
 *
 * Text is encoded in WinAnsiEncoding (Latin-1 for the printable range); a character outside it prints as `?`.
 */

export interface TextPdfBlock {
  heading: string;
  /** Label and value, printed in two columns; long values wrap. */
  fields: [string, string][];
}

export interface TextPdfDocument {
  title: string;
  /** The document's creation date (Info dictionary): given, so the same input gives the same bytes. */
  createdAt: Date;
  blocks: TextPdfBlock[];
}

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 54;
const LABEL_X = MARGIN;
const LABEL_WIDTH = 170;
const VALUE_X = MARGIN + LABEL_WIDTH + 8;
const VALUE_WIDTH = PAGE_WIDTH - MARGIN - VALUE_X;
const TITLE_SIZE = 14;
const HEADING_SIZE = 11;
const TEXT_SIZE = 9;
const LEADING = 12;

/** Helvetica's advance widths (thousandths of an em) for ASCII 32–126, from its Adobe font metrics. */
// prettier-ignore
const HELVETICA = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
  556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];
/** Bold glyphs are wider; measuring bold text with regular widths scaled by this keeps it inside its column. */
const BOLD_FACTOR = 1.1;

function width(text: string, size: number, bold: boolean): number {
  let units = 0;
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    // Outside ASCII: the widest common Latin-1 letters are about this wide.
    units += code >= 32 && code <= 126 ? HELVETICA[code - 32] : 667;
  }
  return ((units * size) / 1000) * (bold ? BOLD_FACTOR : 1);
}

/** Lines of at most `max` points: broken at spaces, a word longer than a line broken where it must be. */
export function wrap(text: string, max: number, size: number, bold = false): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line ? `${line} ${word}` : word;
      if (width(candidate, size, bold) <= max) {
        line = candidate;
        continue;
      }
      if (line) lines.push(line);
      let rest = word;
      while (width(rest, size, bold) > max) {
        let cut = rest.length - 1;
        while (cut > 1 && width(rest.slice(0, cut), size, bold) > max) cut--;
        lines.push(rest.slice(0, cut));
        rest = rest.slice(cut);
      }
      line = rest;
    }
    lines.push(line);
  }
  return lines;
}

/** A PDF literal string in WinAnsiEncoding: `\`, `(` and `)` escaped, anything outside Latin-1's printable range `?`. */
function literal(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    const printable = (code >= 32 && code <= 126) || (code >= 160 && code <= 255);
    const c = printable ? ch : '?';
    out += c === '\\' || c === '(' || c === ')' ? `\\${c}` : c;
  }
  return `(${out})`;
}

interface Line {
  x: number;
  y: number;
  size: number;
  bold: boolean;
  text: string;
}

/** Lays the blocks out on pages: a list of text lines per page. */
function layout(doc: TextPdfDocument): Line[][] {
  const pages: Line[][] = [[]];
  let y = PAGE_HEIGHT - MARGIN;
  const page = () => pages[pages.length - 1];
  const room = (height: number) => {
    if (y - height >= MARGIN) return;
    pages.push([]);
    y = PAGE_HEIGHT - MARGIN;
  };
  for (const text of wrap(doc.title, PAGE_WIDTH - 2 * MARGIN, TITLE_SIZE, true)) {
    room(TITLE_SIZE + 4);
    y -= TITLE_SIZE + 4;
    page().push({ x: MARGIN, y, size: TITLE_SIZE, bold: true, text });
  }
  for (const block of doc.blocks) {
    room(HEADING_SIZE + 10 + LEADING);
    y -= HEADING_SIZE + 10;
    page().push({ x: MARGIN, y, size: HEADING_SIZE, bold: true, text: block.heading });
    for (const [label, value] of block.fields) {
      const labels = wrap(label, LABEL_WIDTH, TEXT_SIZE, true);
      const values = wrap(value, VALUE_WIDTH, TEXT_SIZE);
      // A field's label and value stay together unless the value alone is longer than a page.
      const rows = Math.max(labels.length, values.length);
      room(Math.min(rows, 40) * LEADING + 2);
      y -= 2;
      for (let i = 0; i < rows; i++) {
        room(LEADING);
        y -= LEADING;
        if (labels[i]) page().push({ x: LABEL_X, y, size: TEXT_SIZE, bold: true, text: labels[i] });
        if (values[i]) page().push({ x: VALUE_X, y, size: TEXT_SIZE, bold: false, text: values[i] });
      }
    }
  }
  return pages;
}

function contentStream(lines: Line[], pageNumber: number, pageCount: number): string {
  const ops = lines.map((l) => `BT /${l.bold ? 'F2' : 'F1'} ${l.size} Tf ${l.x} ${l.y.toFixed(2)} Td ${literal(l.text)} Tj ET`);
  ops.push(`BT /F1 8 Tf ${MARGIN} ${MARGIN / 2} Td ${literal(`Page ${pageNumber} of ${pageCount}`)} Tj ET`);
  return ops.join('\n');
}

/** `D:YYYYMMDDHHmmSSZ`, the PDF date format, in UTC. */
function pdfDate(d: Date): string {
  return `D:${d
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, '')}Z`;
}

/** The document as PDF 1.4 bytes: catalog, pages, two fonts, a content stream per page, Info, and a correct xref table. */
export function writeTextPdf(doc: TextPdfDocument): Buffer {
  const pages = layout(doc);
  // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 Info, then a page and its content for each page.
  const pageIds = pages.map((_, i) => 6 + i * 2);
  const objects: string[] = [
    `<< /Type /Catalog /Pages 2 0 R >>`,
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>`,
    `<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>`,
    `<< /Title ${literal(doc.title)} /Producer (pharmatrace) /CreationDate (${pdfDate(doc.createdAt)}) >>`,
  ];
  pages.forEach((lines, i) => {
    const stream = contentStream(lines, i + 1, pages.length);
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
        `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageIds[i] + 1} 0 R >>`,
    );
    objects.push(`<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`);
  });
  // Latin-1 throughout: one character is one byte, so string lengths are byte offsets. The second line's high bytes
  // tell transfer programs the file is binary.
  let out = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
