import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CacheHealthIndicator } from './cache.health';
import { CacheService } from './cache.service';

@Global()
@Module({
  imports: [TerminusModule],
  providers: [CacheService, CacheHealthIndicator],
  exports: [CacheService, CacheHealthIndicator],
})
export class CacheModule {}
