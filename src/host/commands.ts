// Every command goes through one wrapper: errors are logged with the command's name and shown to the person once.
import * as vscode from 'vscode';
import type { Logger } from './log';
import { asUserError, UserError } from '../core/model';

/** A problem found by a command, whose message is written for the person (see UserError). */
export class UserFacingError extends UserError {}

/** The person dismissed a prompt: the command stops quietly. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

export function registerCommand<A extends unknown[], R>(log: Logger, id: string, fn: (...args: A) => R | Promise<R>): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      if (e instanceof Cancelled) return undefined;
      // The one place a command's error is judged: a person's problem is a plain message; anything else is a bug.
      const user = asUserError(e);
      if (user) {
        log.warn(`${id}: ${user.message}`);
        void vscode.window.showWarningMessage(user.message);
      } else {
        log.error(e instanceof Error ? e : new Error(String(e)));
        void vscode.window.showErrorMessage(`Marginalia: ${(e as Error)?.message ?? String(e)} (details in the Marginalia log)`, 'Show Log').then((c) => {
          if (c) void vscode.commands.executeCommand('marginalia.showLog');
        });
      }
      return undefined;
    }
  });
}
