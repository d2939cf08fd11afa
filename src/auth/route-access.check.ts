import { Injectable, OnApplicationBootstrap, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ACCESS_KEY, AccessDeclaration } from './access.decorators';

export interface DeclaredRoute {
  method: string;
  /** Path as declared, with `:param` segments, starting with '/'. */
  path: string;
  controller: string;
  handler: string;
  access: AccessDeclaration['kind'] | undefined;
}

/**
 * Every route must say who may call it (@Public, @Authenticated or @CheckPolicies). Startup fails
 * naming each route that does not, so an undeclared route never reaches production.
 */
@Injectable()
export class RouteAccessCheck implements OnApplicationBootstrap {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onApplicationBootstrap(): void {
    const undeclared = this.routes().filter((route) => route.access === undefined);
    if (undeclared.length === 0) return;
    const names = undeclared.map(
      (route) => `${route.method} ${route.path} (${route.controller}.${route.handler})`,
    );
    throw new Error(
      `Routes without an access declaration (@Public, @Authenticated or @CheckPolicies): ${names.join(', ')}`,
    );
  }

  /** Every route of every controller, with its access declaration. */
  routes(): DeclaredRoute[] {
    const out: DeclaredRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
      if (!controller || !wrapper.instance) continue;
      const prefixes = asList(
        Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined,
      );
      const prototype = Object.getPrototypeOf(wrapper.instance) as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as (...args: unknown[]) => unknown;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (paths === undefined) continue;
        const method =
          RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const access = this.reflector.getAllAndOverride<AccessDeclaration | undefined>(ACCESS_KEY, [
          handler,
          controller,
        ]);
        for (const prefix of prefixes) {
          for (const path of asList(paths)) {
            out.push({
              method,
              path: joinPath(prefix, path),
              controller: controller.name,
              handler: name,
              access: access?.kind,
            });
          }
        }
      }
    }
    return out;
  }
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [''];
  return Array.isArray(value) ? value : [value];
}

function joinPath(prefix: string, path: string): string {
  const joined = [prefix, path]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part.length > 0)
    .join('/');
  return `/${joined}`;
}
