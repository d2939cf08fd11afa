import { ExecutionContext } from '@nestjs/common';

type Target = (...args: never[]) => unknown;

/**
 * A value read from a route's decorators once per (handler, controller) and remembered: decorators
 * are fixed at boot, so a guard need not ask the Reflector again on every request.
 */
export class RouteMetadata<T> {
  private readonly byHandler = new WeakMap<Target, Map<Target, T>>();

  constructor(private readonly read: (targets: [Target, Target]) => T) {}

  of(context: ExecutionContext): T {
    const handler = context.getHandler() as Target;
    const controller = context.getClass() as unknown as Target;
    let byController = this.byHandler.get(handler);
    if (!byController) {
      byController = new Map();
      this.byHandler.set(handler, byController);
    }
    if (byController.has(controller)) return byController.get(controller) as T;
    const value = this.read([handler, controller]);
    byController.set(controller, value);
    return value;
  }
}
