// The one base class for host objects that own VS Code resources (listeners, views, commands): what a class
// registers is disposed with it, in reverse order, once. A class owns its commands: it registers them itself, and
// `activate` only builds it and hands it to VS Code.
import * as vscode from 'vscode';
import { registerCommand } from './commands';
import type { Logger } from './log';

export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  /** Keeps `d` until this object is disposed (at once, when it already was); returns `d`. */
  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.owned.push(d);
    return d;
  }

  /** Keeps every one of `ds` until this object is disposed. */
  protected _registerAll(ds: readonly vscode.Disposable[]): void {
    for (const d of ds) this._register(d);
  }

  /** Registers a command through the shared error wrapper (see registerCommand), owned by this object. */
  protected _command<A extends unknown[], R>(log: Logger, id: string, fn: (...args: A) => R | Promise<R>): vscode.Disposable {
    return this._register(registerCommand(log, id, fn));
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const errors: unknown[] = [];
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} resources failed to dispose`);
  }
}
