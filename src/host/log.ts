// One LogOutputChannel for the whole extension; each component writes with a `[component]` prefix.
import * as vscode from 'vscode';

import type { Logger } from '../core/store';

export type { Logger };

/** Lines kept in memory (the channel cannot be read back): what the integration tests check messages against. */
const RECENT_LINES = 500;

/** Wraps the channel so that every line says which component wrote it. */
export class Log {
  private readonly lines: string[] = [];

  constructor(readonly channel: vscode.LogOutputChannel) {}

  /** The latest lines logged at info level and above, oldest first, as `level [component] message`. */
  recent(): readonly string[] {
    return this.lines;
  }

  for(component: string): Logger {
    const c = this.channel;
    const p = `[${component}] `;
    const keep = (level: string, m: string): void => {
      this.lines.push(`${level} ${p}${m}`);
      if (this.lines.length > RECENT_LINES) this.lines.splice(0, this.lines.length - RECENT_LINES);
    };
    return {
      trace: (m) => c.trace(p + m),
      info: (m) => {
        keep('info', m);
        c.info(p + m);
      },
      warn: (m) => {
        keep('warn', m);
        c.warn(p + m);
      },
      error: (m) => {
        const text = m instanceof Error ? (m.stack ?? m.message) : m;
        keep('error', text);
        c.error(p + text);
      },
    };
  }
}
