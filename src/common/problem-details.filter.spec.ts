import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { AppError } from './app-error';
import { toProblem, typeFor } from './problem-details.filter';

describe(toProblem.name, () => {
  it('should answer an unexpected error with a bare 500 that leaks no stack or SQL', () => {
    const error = new Error(
      'insert into "users" ("email") values ($1) violates constraint users_pkey',
    );

    const sut = toProblem(error, 'req-1');
    const body = JSON.stringify(sut);

    expect(sut).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', requestId: 'req-1' });
    expect(sut.type).toBe(typeFor('INTERNAL_ERROR'));
    expect(body).not.toMatch(/insert into|users_pkey|\bat .*\.ts:\d+/i);
    expect(body).not.toContain(error.stack!.split('\n')[1].trim());
  });

  it('should hide the message of a 5xx HttpException', () => {
    const sut = toProblem(new HttpException('pool exhausted: SELECT * FROM secrets', 503), 'req-2');

    expect(sut).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    expect(JSON.stringify(sut)).not.toContain('SELECT');
  });

  it('should render an AppError with its code, title, detail, errors and extensions', () => {
    const error = new AppError('MOLECULE_DUPLICATE', 409, 'Molecule already exists', {
      detail: 'A molecule with this InChIKey exists.',
      errors: [{ field: 'smiles', message: 'duplicate' }],
      extensions: { existingId: 'abc' },
    });

    const sut = toProblem(error, 'req-3');

    expect(sut).toEqual({
      type: typeFor('MOLECULE_DUPLICATE'),
      title: 'Molecule already exists',
      status: 409,
      detail: 'A molecule with this InChIKey exists.',
      code: 'MOLECULE_DUPLICATE',
      requestId: 'req-3',
      errors: [{ field: 'smiles', message: 'duplicate' }],
      existingId: 'abc',
    });
  });

  it('should turn a ZodError into a 400 with one entry per field path', () => {
    const schema = z.strictObject({
      name: z.string(),
      items: z.array(z.object({ amount: z.number() })),
    });
    const result = schema.safeParse({ name: 1, items: [{ amount: 'x' }] });

    const sut = toProblem(result.error, 'req-4');

    expect(sut).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', requestId: 'req-4' });
    expect(sut.errors?.map((error) => error.field).sort()).toEqual(['items.0.amount', 'name']);
  });

  it('should map a 4xx HttpException to its status code and keep its message', () => {
    const notFound = toProblem(new NotFoundException('Cannot GET /api/v1/nope'));
    const bad = toProblem(new BadRequestException('bad thing'));

    expect(notFound).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', title: 'Not found' });
    expect(notFound.detail).toContain('/api/v1/nope');
    expect(bad).toMatchObject({ status: 400, code: 'BAD_REQUEST', detail: 'bad thing' });
  });

  it('should map Fastify body errors to stable codes', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), {
      code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      statusCode: 413,
    });

    expect(toProblem(tooLarge)).toMatchObject({ status: 413, code: 'REQUEST_BODY_TOO_LARGE' });
    expect(toProblem(new HttpException('wrapped', 400, { cause: tooLarge }))).toMatchObject({
      status: 413,
      code: 'REQUEST_BODY_TOO_LARGE',
    });
  });
});
