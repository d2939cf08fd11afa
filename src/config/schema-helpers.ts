import { z } from 'zod';

/** A boolean that also accepts the strings environment variables carry (true/false, 1/0, yes/no, on/off). */
export const flag = () =>
  z.union([
    z.boolean(),
    z
      .string()
      .trim()
      .toLowerCase()
      .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
      .transform((value) => ['true', '1', 'yes', 'on'].includes(value)),
  ]);

/** A list given either as a YAML array or as a comma-separated string. */
export const list = () =>
  z.union([
    z.array(z.string()),
    z.string().transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ]);
