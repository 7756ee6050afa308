// Page markers of documents made from PDFs: a line `<!-- page N -->` before each page's text. The hover tells an
// annotation's page from the last marker before it.

const MARKER = /^<!-- page (\d+) -->$/gm;

export function pageMarker(n: number): string {
  return `<!-- page ${n} -->`;
}

/** The page `offset` (UTF-16) lies on: the number of the last marker line that starts at or before it. */
export function pageAt(text: string, offset: number): number | undefined {
  let page: number | undefined;
  MARKER.lastIndex = 0;
  for (let m = MARKER.exec(text); m && m.index <= offset; m = MARKER.exec(text)) page = Number(m[1]);
  return page;
}
