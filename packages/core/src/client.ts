/**
 * The client: validates a call, runs it through one middleware chain
 * (user middleware → retries → credentials → host choice → timeout →
 * transport) and decodes the answer.
 */
import { resolveAuth } from './auth.js';
import { decodeAnswer } from './decode.js';
import { AbortError, ApiError, PcloudError, ProtocolError, TimeoutError, TransportError, redactParams } from './errors.js';
import { encodeGlobals, encodeParams } from './params.js';
import { hostOrigin, resolveRegion, type Region } from './regions.js';
import type {
  AnyMethod, CallOptions, ClientOptions, ClientRequest, CoreClient, Handler, Middleware, ParamsOf, Plugin, PluginApi,
  ResultOf, TransportResponse, WireValue,
} from './types.js';

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_RETRIES = 2;
/** Answers that mean "these credentials are missing or no longer good": 1000 log in required, 2000 log in failed, 2094 invalid access token. */
const CREDENTIAL_ERRORS: ReadonlySet<number> = new Set([1000, 2000, 2094]);

/** Delay before retry number `attempt` (0-based): exponential with full jitter, capped at 8 s. */
export function backoffDelay(attempt: number, base = 250): number {
  return Math.random() * Math.min(8_000, base * 2 ** attempt);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError(undefined, { cause: signal.reason }));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new AbortError(undefined, { cause: signal!.reason }));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Whether a failed call may be sent again. */
function mayRetry(error: unknown, request: ClientRequest): boolean {
  if (request.signal?.aborted) return false;
  if (request.files?.length) return false; // bodies may be one-shot streams
  if (error instanceof TransportError && error.network) return true; // never reached the server
  if (!request.definition?.idempotent) return false;
  return error instanceof PcloudError && error.retryable;
}

const retryLayer: Middleware = (next) => async (request) => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await next(request);
    } catch (error) {
      if (attempt >= request.retries || !mayRetry(error, request)) throw error;
      await sleep(backoffDelay(attempt), request.signal);
    }
  }
};

/** Runs the transport call under the caller's signal and the call's timeout. */
function timeoutLayer(): Middleware {
  return (next) => async (request) => {
    const user = request.signal;
    if (user?.aborted) throw new AbortError(undefined, { cause: user.reason });
    const timer = AbortSignal.timeout(request.timeout);
    const signal = user ? AbortSignal.any([user, timer]) : timer;
    try {
      return await next({ ...request, signal });
    } catch (error) {
      if (user?.aborted) throw error instanceof AbortError ? error : new AbortError(undefined, { cause: error });
      if (timer.aborted) throw new TimeoutError(request.timeout);
      throw error;
    }
  };
}

const IS_CLIENT = Symbol.for('pcloudkit.client');

/** Creates a client. Add methods with `client.use(plugin)`. */
export function createClient(options: ClientOptions): CoreClient {
  if (!options?.transport || typeof options.transport.call !== 'function') {
    throw new TypeError('createClient: options.transport is required (for example httpTransport() from @pcloudkit/transport-http)');
  }
  const { auth: authOptions, ...publicOptions } = options;
  const transport = options.transport;
  const auth = resolveAuth(authOptions);
  let region: Region = resolveRegion(options.region);
  const scheme = (): 'https' | 'http' => (/^http:\/\//i.test(region.api[0] ?? '') ? 'http' : 'https');
  const dates = options.dates ?? true;

  // --- hosts: the region default plus, optionally, getapiserver's suggestions
  let suggested: string[] | undefined;
  let suggesting: Promise<void> | undefined;
  const defaultHost = () => region[transport.hostKind][0] ?? region.api[0]!;
  const wireHost = (entry: string) => (transport.hostKind === 'api' ? hostOrigin(entry, scheme()) : entry);

  async function loadSuggestions(): Promise<void> {
    try {
      const answer = await client.call<{ api?: string[]; binapi?: string[] }>('getapiserver', {}, { auth: false, retries: 0 });
      const list = answer[transport.hostKind];
      suggested = Array.isArray(list) ? list.filter((h) => typeof h === 'string') : [];
    } catch {
      suggested = []; // the default host still works; suggestions are an optimisation
    }
  }

  const hostLayer: Middleware = (next) => async (request) => {
    if (request.host) return next(request);
    if (options.nearestHost && request.method !== 'getapiserver') {
      if (!suggested) await (suggesting ??= loadSuggestions());
    }
    const preferred = suggested?.[0];
    const fallback = defaultHost();
    if (!preferred || wireHost(preferred) === wireHost(fallback)) return next({ ...request, host: wireHost(fallback) });
    try {
      return await next({ ...request, host: wireHost(preferred) });
    } catch (error) {
      // The documented rule: a suggested host that fails at the network level
      // is dropped and the call goes to the region's default host. Only an
      // upload whose body may already be consumed cannot be sent again.
      if (!(error instanceof TransportError) || (!error.network && request.files?.length)) throw error;
      suggested = suggested?.filter((h) => h !== preferred);
      return next({ ...request, host: wireHost(fallback) });
    }
  };

  const authLayer: Middleware = (next) => async (request) => {
    const wantsAuth = request.definition ? request.definition.auth : !request.anonymous;
    if (!auth || !wantsAuth) return next(request);
    const withCredentials = async () => {
      const r: ClientRequest = { ...request, params: { ...request.params } };
      await auth.apply(r, client);
      return next(r);
    };
    try {
      return await withCredentials();
    } catch (error) {
      if (error instanceof ApiError && CREDENTIAL_ERRORS.has(error.result) && auth.refresh && (await auth.refresh(client))) {
        return withCredentials();
      }
      throw error;
    }
  };

  const checkLayer: Middleware = (next) => async (request) => {
    const response = await next(request);
    const answer = response.result;
    if (!answer || typeof answer !== 'object' || typeof answer.result !== 'number') {
      throw new ProtocolError(`${request.method}: the answer has no numeric 'result'`);
    }
    if (answer.result !== 0) {
      throw new ApiError({ result: answer.result, message: String(answer.error ?? 'Unknown error'), method: request.method, body: answer });
    }
    return response;
  };

  const send: Handler = (request) => transport.call(request as ClientRequest & { host: string });
  const chain: Middleware[] = [...(options.middleware ?? []), retryLayer, authLayer, hostLayer, timeoutLayer(), checkLayer];
  const handler = chain.reduceRight<Handler>((next, layer) => layer(next), send);

  function baseRequest(method: string, params: Record<string, WireValue>, call: CallOptions | undefined, responseType: 'json' | 'data'): ClientRequest {
    const wire: Record<string, WireValue> = { ...params, ...encodeGlobals(method, call?.global) };
    if (dates && wire.timeformat === undefined) wire.timeformat = 'timestamp';
    return {
      method,
      params: wire,
      responseType,
      files: call?.files,
      signal: call?.signal,
      onUploadProgress: call?.onUploadProgress,
      timeout: call?.timeout ?? options.timeout ?? DEFAULT_TIMEOUT,
      retries: call?.retries ?? options.retries ?? DEFAULT_RETRIES,
    };
  }

  async function finish(response: TransportResponse, responseType: 'json' | 'data', method: string): Promise<unknown> {
    if (responseType === 'data') {
      if (!response.data) throw new ProtocolError(`${method}: expected a data answer but got JSON only`);
      return response.data;
    }
    return decodeAnswer(response.result, dates);
  }

  const applied = new Set<Plugin<any>>();
  const client: CoreClient & Record<PropertyKey, unknown> = {
    options: publicOptions,
    transport,
    get region() {
      return region;
    },
    get scheme() {
      return scheme();
    },
    async request<M extends AnyMethod>(definition: M, params: ParamsOf<M>, call?: CallOptions): Promise<ResultOf<M>> {
      const wire = encodeParams(definition, params as Record<string, unknown>);
      if (call?.files?.length && definition.data !== 'upload') {
        throw new TypeError(`${definition.name} does not take files`);
      }
      const responseType = definition.data === 'download' ? 'data' : 'json';
      const request = baseRequest(definition.name, wire, call, responseType);
      request.definition = definition;
      return (await finish(await handler(request), responseType, definition.name)) as ResultOf<M>;
    },
    async call<R>(method: string, params: Record<string, WireValue | undefined> = {}, call?: CallOptions & { responseType?: 'json' | 'data'; auth?: boolean }): Promise<R> {
      if (typeof method !== 'string' || !/^[a-z0-9_]+$/i.test(method)) throw new TypeError(`invalid method name ${JSON.stringify(method)}`);
      const wire: Record<string, WireValue> = {};
      for (const [k, v] of Object.entries(params)) if (v !== undefined) wire[k] = v;
      const responseType = call?.responseType ?? 'json';
      const request = baseRequest(method, wire, call, responseType);
      request.anonymous = call?.auth === false;
      return (await finish(await handler(request), responseType, method)) as R;
    },
    async hosts() {
      if (options.nearestHost && !suggested) await (suggesting ??= loadSuggestions());
      const kind = transport.hostKind;
      const list = [...(suggested ?? []), ...region[kind]].filter((h, i, all) => all.indexOf(h) === i);
      return kind === 'api' ? { api: list, binapi: [...region.binapi] } : { api: [...region.api], binapi: list };
    },
    use<P extends Plugin<any>>(plugin: P) {
      if (applied.has(plugin)) return client as unknown as CoreClient & PluginApi<P>;
      applied.add(plugin);
      for (const [key, definition] of Object.entries(plugin.methods)) {
        const existing = client[key] as { definition?: AnyMethod } | undefined;
        if (existing !== undefined && existing.definition !== definition) {
          throw new TypeError(`plugin ${plugin.name}: '${key}' is already defined on this client`);
        }
        const bound = (params?: unknown, call?: CallOptions) => client.request(definition as AnyMethod, (params ?? {}) as never, call);
        client[key] = Object.assign(bound, { definition });
      }
      if (plugin.extend) {
        for (const [key, value] of Object.entries(plugin.extend(client) as object)) {
          if (key in client && client[key] !== value) throw new TypeError(`plugin ${plugin.name}: '${key}' is already defined on this client`);
          client[key] = value;
        }
      }
      return client as unknown as CoreClient & PluginApi<P>;
    },
    setRegion(next: 'us' | 'eu' | Region) {
      region = resolveRegion(next);
      suggested = undefined;
      suggesting = undefined;
    },
    async logout() {
      if (!auth) return;
      try {
        await client.call('logout', {}, { retries: 0 });
      } finally {
        auth.clear?.();
      }
    },
    close: () => transport.close(),
  } as CoreClient & Record<PropertyKey, unknown>;

  Object.defineProperty(client, IS_CLIENT, { value: true });
  const describeClient = () => `PcloudClient { transport: ${transport.name}, hosts: ${region[transport.hostKind].join(', ')}, auth: ${auth ? '[redacted]' : 'none'} }`;
  Object.defineProperty(client, 'toString', { value: describeClient });
  Object.defineProperty(client, Symbol.for('nodejs.util.inspect.custom'), { value: describeClient });
  return client;
}

export { redactParams };
