import { readPdf } from '../../../../test/support/pdf';
import { wrap, writeTextPdf } from './text-pdf.writer';

const AT = new Date('2026-12-01T10:00:00Z');

describe('writeTextPdf', () => {
  it('writes a PDF 1.4 whose xref offsets point at each object, with every value as text', () => {
    const pdf = writeTextPdf({
      title: 'Form FDA 3911',
      createdAt: AT,
      blocks: [
        {
          heading: 'Product',
          fields: [
            ['Lot number(s)', 'L1, L2'],
            ['Name (brackets)', 'A \\ (B) é ✓'],
          ],
        },
      ],
    });
    const read = readPdf(pdf);
    expect(read).toMatchObject({ version: '1.4', pageCount: 1, objectCount: 7 });
    expect(read.pages[0].split('\n')).toEqual([
      'Form FDA 3911',
      'Product',
      'Lot number(s)',
      'L1, L2',
      'Name (brackets)',
      'A \\ (B) é ?',
      'Page 1 of 1',
    ]);
    expect(pdf.toString('latin1')).toContain('/CreationDate (D:20261201100000Z)');
    // The same input, the same bytes.
    expect(writeTextPdf({ title: 'Form FDA 3911', createdAt: AT, blocks: [] })).toEqual(
      writeTextPdf({ title: 'Form FDA 3911', createdAt: AT, blocks: [] }),
    );
  });

  it('breaks long content across pages, every line kept', () => {
    const serials = Array.from({ length: 600 }, (_, i) => `SERIAL${String(i).padStart(4, '0')}`);
    const read = readPdf(
      writeTextPdf({ title: 'Many', createdAt: AT, blocks: [{ heading: 'Serials', fields: [['Serial number(s)', serials.join(', ')]] }] }),
    );
    expect(read.pageCount).toBeGreaterThan(1);
    const all = read.pages.join('\n');
    for (const s of serials) expect(all).toContain(s);
    expect(read.pages.at(-1)).toContain(`Page ${read.pageCount} of ${read.pageCount}`);
  });

  it('wraps at spaces, and breaks a word longer than the line', () => {
    expect(wrap('aaa bbb ccc', 40, 10)).toEqual(['aaa bbb', 'ccc']);
    const long = wrap('x'.repeat(100), 100, 10);
    expect(long.join('')).toBe('x'.repeat(100));
    expect(long.length).toBeGreaterThan(1);
    expect(wrap('one\ntwo', 500, 10)).toEqual(['one', 'two']);
  });
});
