// One LogOutputChannel for the whole extension; each component writes with a `[component]` prefix.
import * as vscode from 'vscode';

export interface Logger {
  trace(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string | Error): void;
}

/** Wraps the channel so that every line says which component wrote it. */
export class Log {
  constructor(readonly channel: vscode.LogOutputChannel) {}

  for(component: string): Logger {
    const c = this.channel;
    const p = `[${component}] `;
    return {
      trace: (m) => c.trace(p + m),
      info: (m) => c.info(p + m),
      warn: (m) => c.warn(p + m),
      error: (m) => c.error(p + (m instanceof Error ? (m.stack ?? m.message) : m)),
    };
  }
}
