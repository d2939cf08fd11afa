import { Module } from '@nestjs/common';

// Molecules, chemistry, structure search, mixtures, experiments and predictions (DESIGN.md §3).
// Each area adds its controllers and providers below.
@Module({
  imports: [],
  controllers: [],
  providers: [],
  exports: [],
})
export class MoleculeModule {}
