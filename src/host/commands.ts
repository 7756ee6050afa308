// Every command goes through one wrapper: errors are logged with the command's name and shown to the person once.
import * as vscode from 'vscode';
import type { Logger } from './log';
import { FolderError, ReadOnlyError } from './folderModel';
import { AnnotationInputError, PathError } from '../core/model';
import { YamlFileError } from '../core/yaml';
import { MoveError } from '../core/store';

/** Expected problems whose message is written for the person; anything else is a bug and is logged with its stack. */
export class UserFacingError extends Error {}

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
      const expected = e instanceof UserFacingError || e instanceof ReadOnlyError || e instanceof FolderError || e instanceof AnnotationInputError || e instanceof YamlFileError || e instanceof PathError || e instanceof MoveError;
      if (expected) {
        log.warn(`${id}: ${(e as Error).message}`);
        void vscode.window.showWarningMessage((e as Error).message);
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
