import { Module } from '@nestjs/common';
import { ChemistryController } from './chemistry.controller';
import { chemistryProvider } from './chemistry/chemistry.provider';
import { ChemistryService } from './chemistry/chemistry.service';
import { MoleculeSearchController } from './molecule-search.controller';
import { MoleculeFingerprintRepository } from './search/molecule-fingerprint.repository';
import { MoleculeSearchIndex } from './search/molecule-search.index';
import { MoleculeSearchService } from './search/molecule-search.service';
import { MoleculeExportService } from './molecule-export.service';
import { MoleculeImportService } from './molecule-import.service';
import { MoleculeSeedService } from './molecule-seed.service';
import { MoleculeController } from './molecule.controller';
import { MoleculeRepository } from './molecule.repository';
import { MoleculeService } from './molecule.service';
import { ExperimentController } from './experiment.controller';
import { ExperimentRepository } from './experiment.repository';
import { ExperimentService } from './experiment.service';
import { MixtureController } from './mixture.controller';
import { MixtureRepository } from './mixture.repository';
import { MixtureService } from './mixture.service';
import { PredictionController } from './prediction.controller';
import { PredictionRepository } from './prediction.repository';
import { PredictionService } from './prediction.service';
import { PropertyTypeController } from './property-type.controller';
import { PropertyTypeRepository } from './property-type.repository';
import { PropertyTypeService } from './property-type.service';

// Molecules, chemistry, structure search, mixtures, experiments and predictions (DESIGN.md §3).
// Each area adds its controllers and providers below.
@Module({
  imports: [],
  controllers: [
    MoleculeController,
    ChemistryController,
    MoleculeSearchController,
    MixtureController,
    ExperimentController,
    PredictionController,
    PropertyTypeController,
  ],
  providers: [
    chemistryProvider,
    ChemistryService,
    MoleculeFingerprintRepository,
    MoleculeSearchIndex,
    MoleculeSearchService,
    MoleculeRepository,
    MoleculeService,
    MoleculeImportService,
    MoleculeExportService,
    MoleculeSeedService,
    MixtureRepository,
    MixtureService,
    ExperimentRepository,
    ExperimentService,
    PredictionRepository,
    PredictionService,
    PropertyTypeRepository,
    PropertyTypeService,
  ],
  exports: [
    chemistryProvider,
    ChemistryService,
    MoleculeSearchIndex,
    MoleculeSearchService,
    MoleculeRepository,
    MoleculeService,
    MoleculeImportService,
    MoleculeExportService,
    MoleculeSeedService,
  ],
})
export class MoleculeModule {}
