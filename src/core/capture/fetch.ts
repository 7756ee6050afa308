// Fetching a source from the web with the platform's fetch (node's in the CLI and the extension host). A page that
// cannot be had is a UserError that names the address and says what to do instead.
import { UserError } from '../model';
import type { SourceInput } from './source';

/** Largest source fetched (bytes): a corpus document is text, and the editor opens nothing over 50 MB. */
export const MAX_SOURCE_BYTES = 50 * 1024 * 1024;

export interface FetchOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
}

export function isUrl(s: string): boolean {
  return /^https?:\/\//i.test(s.trim());
}

export async function fetchSource(url: string, options: FetchOptions = {}): Promise<SourceInput> {
  let address: URL;
  try {
    address = new URL(url.trim());
  } catch {
    throw new UserError(`${url} is not a web address; give an http:// or https:// URL, or the path of a saved file.`);
  }
  if (address.protocol !== 'http:' && address.protocol !== 'https:')
    throw new UserError(`${url}: only http and https addresses are fetched; save the page and add the file instead.`);
  const doFetch = options.fetch ?? fetch;
  const timeout = options.timeoutMs ?? 30_000;
  let response: Response;
  try {
    response = await doFetch(address.href, {
      redirect: 'follow',
      signal: AbortSignal.timeout(timeout),
      headers: { accept: 'text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5' },
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (e as Error).name === 'TimeoutError' ? `no answer within ${Math.round(timeout / 1000)} s` : (cause?.code ?? cause?.message ?? (e as Error).message);
    throw new UserError(
      `could not fetch ${address.href} (${why}). Check the address and that you are online, or save the page (or PDF) and add the saved file instead.`,
    );
  }
  if (!response.ok) {
    throw new UserError(
      `${address.href} answered ${response.status} ${response.statusText}: nothing was added. Check the address; for a page behind a login, save it in the browser and add the saved file.`,
    );
  }
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_SOURCE_BYTES)
    throw new UserError(`${address.href} is ${Math.round(length / 1048576)} MB, more than the ${MAX_SOURCE_BYTES / 1048576} MB a source may have.`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_SOURCE_BYTES) throw new UserError(`${address.href} is more than the ${MAX_SOURCE_BYTES / 1048576} MB a source may have.`);
  // The address it ended at (after redirects) is the one its text belongs to.
  const final = response.url || address.href;
  return { bytes, name: final, url: final, contentType: response.headers.get('content-type') ?? undefined };
}
