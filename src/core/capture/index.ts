// Capturing sources with their provenance (web pages, PDFs, text files) and bringing in Hypothesis annotations.
export * from './source';
export * from './pages';
export { htmlToMarkdown, pageMetadata } from './html';
export { pdfToMarkdown, pdfDate } from './pdf';
export * from './hypothesis';
export * from './fetch';
