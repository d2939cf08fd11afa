import Fastify from 'fastify';
import { UNMATCHED_ROUTE } from '../metrics/metric-names';
import { installRequestHooks, observeAnsweredRequests, observeArrivals } from './answered-requests';

describe('request observation', () => {
  it('should tell observers the route template, status and arrival of every request, 404s included', async () => {
    const fastify = Fastify();
    const arrived: string[] = [];
    const answered: Array<[string, string, number]> = [];
    installRequestHooks(
      fastify,
      (_request, done) => done(),
      (request, reply) => void reply.header('x-seen', request.id),
    );
    observeArrivals(fastify, (request) => arrived.push(request.url));
    observeAnsweredRequests(fastify, (request, _reply, route, status, millis) => {
      expect(millis).toBeGreaterThanOrEqual(0);
      answered.push([request.url, route, status]);
    });
    fastify.get('/molecules/:id', () => ({ ok: true }));
    fastify.get('/fails', () => {
      throw new Error('boom');
    });
    await fastify.ready();
    try {
      // The first matched request checks the fast path against Fastify's public routeOptions.
      const urls = ['/nowhere', '/molecules/1', '/molecules/2?x=1', '/fails', '/nowhere/else'];
      for (const url of urls) {
        const response = await fastify.inject({ method: 'GET', url });
        expect(response.headers['x-seen']).toBeDefined();
      }
      expect(arrived).toEqual(urls);
      expect(answered).toEqual([
        ['/nowhere', UNMATCHED_ROUTE, 404],
        ['/molecules/1', '/molecules/:id', 200],
        ['/molecules/2?x=1', '/molecules/:id', 200],
        ['/fails', '/fails', 500],
        ['/nowhere/else', UNMATCHED_ROUTE, 404],
      ]);
    } finally {
      await fastify.close();
    }
  });

  it('should refuse to install the shared hooks twice on one server', () => {
    const fastify = Fastify();
    installRequestHooks(
      fastify,
      (_request, done) => done(),
      () => undefined,
    );
    expect(() =>
      installRequestHooks(
        fastify,
        (_request, done) => done(),
        () => undefined,
      ),
    ).toThrow('already installed');
  });
});
