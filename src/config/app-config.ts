import { Config } from './config.schema';

/**
 * The validated, frozen configuration. Inject it by type: `constructor(private readonly config: AppConfig)`.
 * The class is only a DI token; the interface of the same name gives it the shape of Config.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export abstract class AppConfig {}
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface AppConfig extends Readonly<Config> {}
