import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { CommonErrors, FieldError } from './app-error';

export const ZOD_SCHEMA = Symbol('zodSchema');

export interface ZodDtoClass<S extends z.ZodType = z.ZodType> {
  new (): z.infer<S>;
  readonly [ZOD_SCHEMA]: S;
  readonly schemaName: string;
}

const registry = new Map<string, z.ZodType>();

/**
 * Makes a DTO class from a zod schema. The same schema validates the request (ZodValidationPipe),
 * and describes it in OpenAPI (components.schemas[name] is replaced with its JSON Schema).
 */
export function zodDto<S extends z.ZodType>(name: string, schema: S): ZodDtoClass<S> {
  if (registry.has(name) && registry.get(name) !== schema) {
    throw new Error(`Two DTO schemas are named ${name}`);
  }
  registry.set(name, schema);
  const Dto = class {
    static readonly [ZOD_SCHEMA] = schema;
    static readonly schemaName = name;
    // Read by @nestjs/swagger for top-level properties (query parameters need them).
    static _OPENAPI_METADATA_FACTORY(): Record<string, unknown> {
      return openApiProperties(schema);
    }
  };
  Object.defineProperty(Dto, 'name', { value: name });
  return Dto as unknown as ZodDtoClass<S>;
}

/** Every DTO schema by name, as JSON Schema (draft 2020-12, which OpenAPI 3.1 uses). */
export function dtoJsonSchemas(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, schema] of registry) out[name] = toJsonSchema(schema, 'input');
  return out;
}

export function toJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output' = 'output',
): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function openApiProperties(schema: z.ZodType): Record<string, unknown> {
  const json = toJsonSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required ?? []) as string[]);
  const out: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    const type = Array.isArray(property.type)
      ? property.type.find((t) => t !== 'null')
      : property.type;
    out[key] = { ...property, type: type ?? 'string', required: required.has(key) };
  }
  return out;
}

export function zodIssuesToFieldErrors(issues: z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: [...path, key].join('.'),
        message: 'unknown field',
        code: 'unrecognized_key',
      }));
    }
    return [{ field: path.join('.') || '(body)', message: issue.message, code: issue.code }];
  });
}

/** Parses input against a schema, throwing a VALIDATION_FAILED problem naming each field. */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix?: string,
): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = zodIssuesToFieldErrors(result.error.issues).map((error) =>
    prefix
      ? { ...error, field: error.field === '(body)' ? prefix : `${prefix}.${error.field}` }
      : error,
  );
  throw CommonErrors.validation(errors);
}

/** Global pipe: validates @Body/@Query/@Param values whose declared type is a zodDto class. */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const schema = (metadata.metatype as Partial<ZodDtoClass> | undefined)?.[ZOD_SCHEMA];
    if (!schema) return value;
    const where = metadata.type === 'body' ? undefined : metadata.type;
    return parseOrThrow(schema, value ?? {}, where === 'custom' ? undefined : where);
  }
}
