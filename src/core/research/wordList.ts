// Word lists written as prose: the entries of a list separated by commas or line breaks, so a list of a hundred
// words reads as a paragraph instead of a hundred lines.

/** The entries of `text`, separated by commas or line breaks, each trimmed; empty entries are dropped. */
export function wordList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((w) => w.trim())
    .filter((w) => w !== '');
}
