// Boilerplate: the lines of a saved web page that are not the article. Navigation ("See also ...", "Read more ...",
// "Related posts", breadcrumbs), calls to subscribe, share, follow or comment, comment counts, share buttons, form
// fields, cookie and copyright notices. Suggestions leave them out: a figure in "See also: Biden authorizes $571
// million for Taiwan" belongs to another article. Offsets are UTF-16 code units, half-open [start, end).
//
// A line is boilerplate when:
// - it starts with a cue: one that is navigation whatever follows (STRONG_CUES: "See also  Biden authorizes ...",
//   "Subscribe to get ...", "Leave a Reply"), or one that may also start a sentence (WEAK_CUES: "Related", "Share",
//   "Latest") followed by the end of the line, a colon or a separator ("Related: ...", "Share |");
// - it is a comment count ("12 Comments", "No comments yet", "3 thoughts on ..."), a row of share buttons
//   ("Facebook Twitter LinkedIn Email"), or a short menu or breadcrumb with two or more separators
//   ("Home » World » Europe", "News | Sport | Business");
// - it follows a cue that stands alone on its line ("Related Posts", "Leave a Reply", "Read more:") and no prose
//   paragraph came between: lists of linked headlines and comment form fields are short lines without a final full
//   stop, so the block runs on until a line of prose.

import type { Span } from '../model';
import { wordList } from './wordList';

export interface LineSpan extends Span {
  /** The line as written (for messages and tests). */
  text: string;
}

/** Cues that are boilerplate whatever follows them (lower case, single spaces). */
const STRONG_CUES = [
  'see also',
  'read more',
  'read also',
  'also read',
  'read next',
  'more from',
  'discover more from',
  'more stories from',
  'you may also like',
  'you might also like',
  'you may have missed',
  'recommended for you',
  "don't miss",
  'don’t miss',
  'related posts',
  'related articles',
  'related stories',
  'related news',
  'related content',
  'related reading',
  'related topics',
  'more on this story',
  'more on this topic',
  'previous article',
  'next article',
  'previous post',
  'next post',
  'previous story',
  'next story',
  'subscribe to',
  'subscribe now',
  'sign up for',
  'sign up to',
  'join our newsletter',
  'get our newsletter',
  'follow us',
  'leave a reply',
  'leave a comment',
  'post a comment',
  'add a comment',
  'join the conversation',
  'join the discussion',
  'share this',
  'share on',
  'share via',
  'click to share',
  'click to print',
  'click to email',
  'like this:',
  'like loading',
  'skip to content',
  'skip to main content',
  'all rights reserved',
  'your email address will not be published',
  'required fields are marked',
  'save my name, email',
  'cancel reply',
  'filed under',
  'posted in',
  'tagged with',
  'sponsored content',
  'this article was originally published',
  'we use cookies',
  'this website uses cookies',
  'accept cookies',
  'report an error',
  'copyright ©',
  '©',
];

/** Cues that are boilerplate only before the end of the line or a colon or separator: they also start sentences
 *  ("Latest figures show ...", "Most popular apps ..."). */
const WEAK_CUES = wordList(`
  related, recommended, popular, most popular, most read, trending, trending now, latest, latest news,
  subscribe, newsletter, share, comments, comment, responses, print, email, tweet, advertisement, sponsored,
  tags, tagged, categories, category, topics, copyright, more, next, previous, menu, home, search,
  privacy policy, terms of use, terms of service,
`);

/** Cues that start a block when they stand alone on their line. */
const BLOCK_CUES = new Set(
  wordList(`
  see also, read more, read also, also read, related, related posts, related articles, related stories,
  related news, related content, related reading, related topics, recommended, recommended for you, more from,
  you may also like, you might also like, you may have missed, popular, most read, most popular, trending,
  trending now, latest, latest news, leave a reply, leave a comment, post a comment, add a comment, comments,
  responses, share this, tags, categories, topics, join the conversation, join the discussion,
`),
);

/** Social networks and share actions, for rows of share buttons. */
const SHARE_WORDS = new Set(
  wordList(`
  facebook, twitter, x, linkedin, whatsapp, telegram, reddit, pinterest, tumblr, pocket, vk, email, e-mail,
  print, share, tweet, copy, link, mastodon, threads, bluesky, flipboard, on, messenger, viber, wechat, weibo,
  instagram, youtube,
`),
);

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[ \\u00a0]+');
const byLength = (a: string, b: string): number => b.length - a.length;
/** What may follow a weak cue: the end of the line, or a colon or separator. */
const AFTER_WEAK = '(?=[ \\u00a0]*$|[ \\u00a0]*[:|»›>•·\\-–—(\\[])';
const STRONG = new RegExp(`^(?:${[...STRONG_CUES].sort(byLength).map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'iu');
const WEAK = new RegExp(`^(?:${[...WEAK_CUES].sort(byLength).map(escape).join('|')})${AFTER_WEAK}`, 'iu');
/** "12 Comments", "No comments yet", "3 thoughts on ...", "View all 40 comments", "Comments (3)". */
const COMMENT_COUNT = new RegExp(
  [
    '^(?:\\d+|no|one|two|three)[ \\u00a0]+(?:comments?|responses?|replies|reactions?|thoughts?[ \\u00a0]+on\\b.*)(?:[ \\u00a0]+yet)?\\.?$',
    '^(?:view|show|load|see)[ \\u00a0]+(?:all[ \\u00a0]+)?(?:\\d+[ \\u00a0]+)?comments?\\b',
    '^comments?[ \\u00a0]*\\(\\d+\\)$',
  ].join('|'),
  'iu',
);
const SEPARATORS = /[ \u00a0](?:»|›|>|\||•|·|\/)[ \u00a0]/g;
const PROSE_END = /[.!?]["”’)]*$/;

/** The lines of `text` that are navigation or boilerplate, in order. */
export function boilerplateLines(text: string): LineSpan[] {
  const out: LineSpan[] = [];
  let inBlock = false;
  for (const line of lines(text)) {
    const s = line.text.trim();
    if (s === '') continue;
    const cue = cueOf(s);
    if (cue !== undefined) {
      out.push(line);
      // A cue alone on its line heads a list or a form: the short lines after it belong to it.
      inBlock = BLOCK_CUES.has(cue) && isCueAlone(s, cue);
      continue;
    }
    if (isCommentCount(s) || isShareRow(s) || isMenu(s)) {
      out.push(line);
      continue;
    }
    if (inBlock && !isProse(s)) {
      out.push(line);
      continue;
    }
    inBlock = false;
  }
  return out;
}

/** The cue a line starts with (lower case, single spaces), if any. */
function cueOf(s: string): string | undefined {
  const m = STRONG.exec(s) ?? WEAK.exec(s);
  return m ? m[0].toLowerCase().replace(/[ \u00a0]+/g, ' ') : undefined;
}

function isCueAlone(s: string, cue: string): boolean {
  return /^[\s:.…»›>\-–—]*(?:\(\d+\))?[\s:.…»›>\-–—]*$/u.test(s.slice(cue.length));
}

function isCommentCount(s: string): boolean {
  return COMMENT_COUNT.test(s);
}

function isShareRow(s: string): boolean {
  const words = s
    .toLowerCase()
    .split(/[\s|•·,/]+/)
    .filter((w) => w !== '');
  return words.length >= 2 && words.every((w) => SHARE_WORDS.has(w)) && words.filter((w) => w !== 'on' && w !== 'share').length >= 2;
}

function isMenu(s: string): boolean {
  if (PROSE_END.test(s) || s.split(/\s+/).length > 15) return false;
  return (s.match(SEPARATORS) ?? []).length >= 2;
}

/** A line of prose: a sentence of some length, or several. */
function isProse(s: string): boolean {
  return (PROSE_END.test(s) && s.split(/\s+/).length >= 12) || s.length >= 200;
}

function* lines(text: string): Generator<LineSpan> {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const lineEnd = end > start && text[end - 1] === '\r' ? end - 1 : end;
    yield { start, end: lineEnd, text: text.slice(start, lineEnd) };
    start = end + 1;
  }
}
