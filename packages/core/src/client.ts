/**
 * The client: validates a call, runs it through one middleware chain (user
 * middleware, then the layers of layers.ts: retry → credentials → host →
 * timeout → check → transport) and decodes the answer.
 */
import { resolveAuth } from './auth.js';
import { decodeAnswer } from './decode.js';
import { ProtocolError, TransportError, ValidationError } from './errors.js';
import { hostState } from './hosts.js';
import { checkLayer, withDeadline, composeChain, credentialsLayer, hostLayer, retryLayer, timeoutLayer } from './layers.js';
import { encodeGlobals, encodeParams } from './params.js';
import type { Region } from './regions.js';
import { checkRetryPolicy, defaultRetryPolicy } from './retry.js';
import { CALL_LIMIT, type MakesCallLimit, checkDuration } from './timer.js';
import type {
  AnyMethod,
  CallOptions,
  ClientOptions,
  ClientRequest,
  CoreClient,
  Handler,
  ParamsOf,
  Plugin,
  PluginApi,
  ResultOf,
  WireValue,
} from './types.js';

/** Default `timeout`, and `bodyTimeout` (how long a data answer may go without a byte). */
const DEFAULT_TIMEOUT = 30_000;
const DURATIONS = ['timeout', 'attemptTimeout', 'bodyTimeout'] as const;

const IS_CLIENT = Symbol.for('pcloudkit.client');

/** Creates a client. Add methods with `client.use(plugin)`. */
export function createClient(options: ClientOptions): CoreClient {
  if (!options?.transport || typeof options.transport.call !== 'function') {
    throw new TypeError('createClient: options.transport is required (for example httpTransport() from @pcloudkit/transport-http)');
  }
  const { auth: authOptions, ...publicOptions } = options;
  const transport = options.transport;
  const auth = resolveAuth(authOptions);
  const policy = options.retry ?? defaultRetryPolicy;
  checkRetryPolicy(policy, 'createClient');
  const dates = options.dates ?? true;
  for (const name of DURATIONS) if (options[name] !== undefined) checkDuration(options[name], `createClient: options.${name}`);
  const hosts = hostState({
    hostKind: transport.hostKind,
    region: options.region,
    // asked of the default host directly, so this call does not wait for the suggestions it fetches
    suggest: options.nearestHost
      ? () => client.call('getapiserver', {}, { auth: false, retries: 0, host: hosts.defaultHost() })
      : undefined,
  });

  /** Builds the request of a call; takes `params` over (callers pass a fresh object). */
  function baseRequest(
    method: string,
    params: Record<string, WireValue>,
    call: CallOptions | undefined,
    responseType: 'json' | 'data',
  ): ClientRequest {
    const wire = Object.assign(params, encodeGlobals(method, call?.global));
    if (dates && wire.timeformat === undefined) wire.timeformat = 'timestamp';
    if (call?.host !== undefined && (typeof call.host !== 'string' || call.host.trim() === '')) {
      throw new TypeError(`${method}: options.host must be a non-empty host name or origin`);
    }
    for (const name of DURATIONS) if (call?.[name] !== undefined) checkDuration(call[name], `${method}: options.${name}`);
    const attemptTimeout = call?.attemptTimeout ?? options.attemptTimeout;
    return {
      method,
      host: call?.host === undefined ? undefined : hosts.wire(call.host),
      params: wire,
      responseType,
      files: call?.files,
      signal: call?.signal,
      onUploadProgress: call?.onUploadProgress,
      ...(call?.connectionKey !== undefined ? { connectionKey: call.connectionKey } : {}),
      timeout: call?.timeout ?? options.timeout ?? DEFAULT_TIMEOUT,
      ...(attemptTimeout !== undefined ? { attemptTimeout } : {}),
      ...(responseType === 'data' ? { bodyTimeout: call?.bodyTimeout ?? options.bodyTimeout ?? DEFAULT_TIMEOUT } : {}),
      retries: call?.retries ?? options.retries ?? policy.retries,
    };
  }

  /** Runs a request through the chain under the call's deadline and decodes the answer. */
  async function run(request: ClientRequest): Promise<unknown> {
    const response = await withDeadline(request, handler, makeLimit);
    if (request.responseType === 'data') {
      if (!response.data) throw new ProtocolError(`${request.method}: expected a data answer but got JSON only`);
      return response.data;
    }
    return decodeAnswer(response.result, dates);
  }

  let closed = false;
  /** After `close()` every call fails the same way, whatever the transport (and is not retried). */
  function checkOpen(method: string): void {
    if (closed) throw new TransportError(`${method}: the client is closed`, { host: undefined, network: true });
  }

  const applied = new Set<object>();
  const client: CoreClient & Record<PropertyKey, unknown> = {
    options: publicOptions,
    transport,
    get region() {
      return hosts.region;
    },
    get scheme() {
      return hosts.scheme;
    },
    async request<M extends AnyMethod>(definition: M, params: ParamsOf<M>, call?: CallOptions): Promise<ResultOf<M>> {
      const wire = encodeParams(definition, params as Record<string, unknown>);
      if (call?.files?.length && definition.data !== 'upload') {
        throw new ValidationError(definition.name, 'files', `${definition.name} uploads nothing, so it takes no files`);
      }
      checkOpen(definition.name);
      const request = baseRequest(definition.name, wire, call, definition.data === 'download' ? 'data' : 'json');
      request.definition = definition;
      return (await run(request)) as ResultOf<M>;
    },
    async call<R>(
      method: string,
      params: Record<string, WireValue | undefined> = {},
      call?: CallOptions & { responseType?: 'json' | 'data'; auth?: boolean },
    ): Promise<R> {
      if (typeof method !== 'string' || !/^[a-z0-9_]+$/i.test(method)) throw new TypeError(`invalid method name ${JSON.stringify(method)}`);
      const wire: Record<string, WireValue> = {};
      for (const [k, v] of Object.entries(params)) if (v !== undefined) wire[k] = v;
      checkOpen(method);
      const request = baseRequest(method, wire, call, call?.responseType ?? 'json');
      request.anonymous = call?.auth === false;
      return (await run(request)) as R;
    },
    hosts: () => hosts.hosts(),
    use<P extends Plugin<Record<string, AnyMethod>, unknown>>(plugin: P) {
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
          if (key in client && client[key] !== value)
            throw new TypeError(`plugin ${plugin.name}: '${key}' is already defined on this client`);
          client[key] = value;
        }
      }
      return client as unknown as CoreClient & PluginApi<P>;
    },
    setRegion(next: 'us' | 'eu' | Region) {
      hosts.setRegion(next);
    },
    async logout() {
      if (!auth) return;
      try {
        await client.call('logout', {}, { retries: 0 });
      } finally {
        auth.clear?.();
      }
    },
    close: () => {
      closed = true;
      return transport.close();
    },
  } as CoreClient & Record<PropertyKey, unknown>;

  // Making an AbortSignal for every call's deadline costs more than the rest of the client together. When
  // nothing but the client's own parts sees the requests (no middleware, a built-in credential provider, the
  // default retry rule), a transport that can watch a lighter limit makes it (see CALL_LIMIT).
  const makeLimit =
    !options.middleware?.length && !(authOptions && 'apply' in authOptions) && policy.shouldRetry === defaultRetryPolicy.shouldRetry
      ? (transport as MakesCallLimit)[CALL_LIMIT]
      : undefined;
  const send: Handler = (request) => transport.call(request as ClientRequest & { host: string });
  const layers = [retryLayer(policy), credentialsLayer({ auth, client }), hostLayer(hosts), timeoutLayer(), checkLayer()];
  const handler = composeChain(layers, options.middleware, send);

  const describeClient = {
    value: () =>
      `PcloudClient { transport: ${transport.name}, hosts: ${(hosts.region[transport.hostKind] ?? []).join(', ')}, auth: ${auth ? '[redacted]' : 'none'} }`,
  };
  return Object.defineProperties(client, {
    [IS_CLIENT]: { value: true },
    toString: describeClient,
    [Symbol.for('nodejs.util.inspect.custom')]: describeClient,
  });
}
