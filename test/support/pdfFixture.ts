// A small PDF made in the test with pdf-lib: three pages of known text, a title, an author and a creation date.
import { PDFDocument, StandardFonts } from 'pdf-lib';

export const PDF_PAGES = [
  ['The survey covered 412 households.', 'Most reported higher rents.'],
  ['Rents rose by 7.5 percent in 2023.', 'Wages rose by 3 percent.'],
  ['The council will publish a plan in June.'],
];

export async function makePdf(pages: readonly (readonly string[])[] = PDF_PAGES): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([400, 500]);
    lines.forEach((line, i) => page.drawText(line, { x: 40, y: 440 - i * 16, size: 12, font }));
  }
  doc.setTitle('Housing survey 2023');
  doc.setAuthor('City Statistics Office');
  doc.setCreationDate(new Date('2024-01-15T09:30:00Z'));
  doc.setModificationDate(new Date('2024-01-15T09:30:00Z'));
  doc.setProducer('test');
  doc.setCreator('test');
  return doc.save({ useObjectStreams: false });
}
