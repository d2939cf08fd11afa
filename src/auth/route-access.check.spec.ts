import { Controller, Get, Module, Post } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { CheckPolicies } from '../rbac/check-policies.decorator';
import { Authenticated, Public } from './access.decorators';
import { RouteAccessCheck } from './route-access.check';

@Controller('things')
class DeclaredController {
  @Get()
  @Public()
  listThings() {
    return [];
  }

  @Post()
  @CheckPolicies('create', 'Molecule')
  createThing() {
    return {};
  }
}

@Authenticated()
@Controller('mine')
class ClassLevelController {
  @Get(':id')
  getMine() {
    return {};
  }
}

@Controller('oops')
class UndeclaredController {
  @Get(':id')
  getOops() {
    return {};
  }

  @Get()
  @Public()
  listOops() {
    return [];
  }
}

async function boot(...controllers: (new () => unknown)[]) {
  @Module({ imports: [DiscoveryModule], controllers, providers: [RouteAccessCheck] })
  class TestModule {}
  // A testing module is an application context: init() runs the bootstrap hooks without HTTP.
  return Test.createTestingModule({ imports: [TestModule] }).compile();
}

describe(RouteAccessCheck.name, () => {
  it('should list every route with its declaration when all are declared', async () => {
    const app = await boot(DeclaredController, ClassLevelController);
    await app.init();
    const sut = app.get(RouteAccessCheck);
    expect(
      sut
        .routes()
        .map((route) => `${route.method} ${route.path} ${route.access}`)
        .sort(),
    ).toEqual(['GET /mine/:id authenticated', 'GET /things public', 'POST /things policy']);
    await app.close();
  });

  it('should fail startup naming the route when one declares no access', async () => {
    const app = await boot(DeclaredController, UndeclaredController);
    await expect(app.init()).rejects.toThrow('GET /oops/:id (UndeclaredController.getOops)');
    await app.close().catch(() => undefined);
  });
});
