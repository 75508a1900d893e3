/**
 * A small multi-tenant HTTP service embedding isoclass: tenants upload signed components and call
 * them. One Loader serves every tenant; a tenant is whoever the request authenticates as (here a
 * header, standing in for real authentication), and a tenant only ever reaches its own components.
 *
 *   PUT    /components/:name        body: envelope JSON      load (or replace) a component
 *   POST   /components/:name/:method  body: JSON array of args  call it
 *   DELETE /components/:name                                  unload it
 *   GET    /usage                                             what the tenant holds
 *   GET    /healthz                                           503 once V8 lost an isolate
 *
 * Every isoclass error maps to a status code by family, and its stable code is in the JSON body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { IsoclassError, Loader, type LoadedComponent, type LoaderOptions } from '../../src/index.ts';

export interface ServiceOptions extends LoaderOptions {
  /** Largest request body, bytes. */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024; // bytes
const TENANT_HEADER = 'x-tenant';
const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** HTTP status for an isoclass error family: the caller's fault (4xx) or the component's (422). */
const STATUS_BY_FAMILY: Readonly<Record<string, number>> = {
  usage: 400,
  envelope: 400,
  verification: 403,
  policy: 422,
  sandbox: 422,
  component: 422,
  pack: 400,
};

export interface Service {
  readonly server: Server;
  readonly loader: Loader;
  /** Stops accepting requests and disposes every component. */
  close(): Promise<void>;
}

export function createService(options: ServiceOptions): Service {
  let healthy = true;
  const loader = new Loader({
    isolation: 'tenant',
    ...options,
    onCatastrophicError: (event) => {
      // V8 lost an isolate for good: its thread and memory are gone; serve on, but tell the
      // orchestrator to replace this process (the tenant is quarantined by the loader meanwhile)
      healthy = false;
      options.onCatastrophicError?.(event);
    },
  });
  const components = new Map<string, LoadedComponent>(); // key: tenant + '/' + name
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://service');
    if (request.method === 'GET' && url.pathname === '/healthz') return reply(response, healthy ? 200 : 503, { ok: healthy });
    const tenant = request.headers[TENANT_HEADER];
    if (typeof tenant !== 'string' || !NAME.test(tenant)) return reply(response, 401, { ok: false, error: { code: 'UNAUTHENTICATED', message: `send ${TENANT_HEADER}` } });
    if (request.method === 'GET' && url.pathname === '/usage') return reply(response, 200, { ok: true, result: loader.sandbox.usage(tenant) });

    const [, root, name, method, ...rest] = url.pathname.split('/');
    if (root !== 'components' || name === undefined || !NAME.test(name) || rest.length > 0) return reply(response, 404, { ok: false, error: { code: 'NOT_FOUND', message: url.pathname } });
    const key = `${tenant}/${name}`;

    if (request.method === 'PUT' && method === undefined) {
      const body = await readBody(request, maxBody);
      // the load is for this tenant: another tenant's envelope is refused before any of it runs
      const component = await loader.load(body, { tenant });
      components.get(key)?.dispose();
      components.set(key, component);
      return reply(response, 200, { ok: true, result: { identifier: component.record.identifier, version: component.record.version, timings: component.timings } });
    }
    const component = components.get(key);
    if (component === undefined) return reply(response, 404, { ok: false, error: { code: 'NOT_FOUND', message: `no component ${name}` } });
    if (request.method === 'DELETE' && method === undefined) {
      component.dispose();
      components.delete(key);
      return reply(response, 200, { ok: true });
    }
    if (request.method === 'POST' && method !== undefined) {
      const args = JSON.parse((await readBody(request, maxBody)).toString('utf8') || '[]') as unknown;
      if (!Array.isArray(args)) return reply(response, 400, { ok: false, error: { code: 'BAD_ARGUMENTS', message: 'the body is a JSON array of arguments' } });
      const result = await component.call(method, args);
      if (component.disposed) components.delete(key);
      return reply(response, 200, { ok: true, result, metrics: component.metrics() });
    }
    return reply(response, 405, { ok: false, error: { code: 'METHOD_NOT_ALLOWED', message: request.method ?? '' } });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof IsoclassError) {
        // a component stopped by a limit is gone: forget it, so the next PUT starts clean
        for (const [key, component] of components) if (component.disposed) components.delete(key);
        return reply(response, STATUS_BY_FAMILY[error.family] ?? 500, { ok: false, error: error.toJSON() });
      }
      if (error instanceof SyntaxError) return reply(response, 400, { ok: false, error: { code: 'BAD_JSON', message: error.message } });
      if (error instanceof BodyTooLarge) return reply(response, 413, { ok: false, error: { code: 'BODY_TOO_LARGE', message: error.message } });
      reply(response, 500, { ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    });
  });

  return {
    server,
    loader,
    close: () =>
      new Promise((resolve) => {
        loader.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > max) {
        reject(new BodyTooLarge(`request body over ${max} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  if (response.headersSent) return;
  const text = JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(text);
}
