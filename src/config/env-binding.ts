/** Binds one environment variable to a dotted path in the configuration tree. */
export interface EnvBinding {
  env: string;
  path: string;
}
