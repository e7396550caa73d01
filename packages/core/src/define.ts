/**
 * Helpers to describe methods and plugins as data. Our own method packages
 * use only these, so a third-party plugin is written the same way.
 */
import type {
  AnyMethod,
  CallOptions,
  CoreClient,
  DataDirection,
  MethodDefinition,
  ParamInfo,
  ParamSpec,
  ParamType,
  ParamValueMap,
  Plugin,
} from './types.js';

interface SpecOptions {
  required?: boolean;
  summary?: string;
  min?: number;
  max?: number;
  enum?: readonly string[];
  requires?: string;
}

type SpecFor<T extends ParamType, O extends SpecOptions> = ParamSpec<T, O['required'] extends true ? true : false>;

function spec<T extends ParamType>(type: T) {
  return <const O extends SpecOptions = {}>(options?: O): SpecFor<T, O> =>
    ({ ...options, type, required: options?.required === true }) as unknown as SpecFor<T, O>;
}

/** Parameter builders: `param.int({ required: true })`, `param.string()`, ... */
export const param = {
  int: spec('int'),
  string: spec('string'),
  bool: spec('bool'),
  flag: spec('flag'),
  datetime: spec('datetime'),
  intList: spec('int-list'),
  stringList: spec('string-list'),
};

declare const phantom: unique symbol;
/** Carries a result type through a definition; has no value at run time. */
export type Returns<R> = { readonly [phantom]?: R };
/** Names the result type of a method: `result: returns<MyResult>()`. */
export function returns<R>(): Returns<R> {
  return undefined as unknown as Returns<R>;
}

/** The groups of {@link joinParams}, joined into one object type. */
export type JoinedParams<G extends readonly object[]> = G extends readonly [infer H, ...infer R extends readonly object[]]
  ? H & JoinedParams<R>
  : {};

/**
 * Joins groups of param specs into one `params` object, in order, as
 * `{ ...a, ...b }` would. Method packages join shared groups with this call,
 * annotated as pure, rather than spreading them in place: bundlers keep an
 * object spread, and with it the method, even when nothing uses the method.
 */
export function joinParams<G extends readonly Record<string, ParamSpec>[]>(...groups: G): JoinedParams<G> {
  return Object.assign({}, ...groups) as JoinedParams<G>;
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ValueOf<S> = S extends ParamSpec<infer T, boolean> ? ParamValueMap[T] : never;
type SetMembers<O> = O extends Record<string, readonly string[]> ? O[keyof O][number] : never;
type RequiredKeys<P, O> = {
  [K in keyof P]: K extends SetMembers<O> ? never : P[K] extends ParamSpec<ParamType, true> ? K : never;
}[keyof P];
type OptionalKeys<P, O> = Exclude<keyof P, RequiredKeys<P, O> | SetMembers<O>>;
// The params types below map over `keyof P` and filter with `as`, never over a bare union of keys: that way
// each property keeps its declaration in the `params` object, and editors show the JSDoc written above it.
/** The params among `Keys`, required. */
type Given<P, Keys> = { -readonly [K in keyof P as K extends Keys ? K : never]: ValueOf<P[K]> };
/** The params among `Keys`, optional. */
type Optional<P, Keys> = { -readonly [K in keyof P as K extends Keys ? K : never]?: ValueOf<P[K]> };
/** The params among `Keys`, which must be left out. */
type Absent<P, Keys> = { -readonly [K in keyof P as K extends Keys ? K : never]?: never };
type ExactlyOne<P, Keys extends keyof P> = { [K in Keys]: Given<P, K> & Absent<P, Exclude<Keys, K>> }[Keys];
/** Intersection of one "exactly one of" union per set (boxed so unions stay whole). */
type AllSets<P, O> = [keyof O] extends [never]
  ? unknown
  : { [S in keyof O]: (x: ExactlyOne<P, O[S] extends readonly (infer E)[] ? E & keyof P : never>) => void }[keyof O] extends (
        x: infer I,
      ) => void
    ? I
    : never;

/** Either none of the set's keys, or exactly one. */
type AtMostOneOf<P, Keys extends keyof P> = ExactlyOne<P, Keys> | Absent<P, Keys>;
type AllAtMostOne<P, A> = [keyof A] extends [never]
  ? unknown
  : { [S in keyof A]: (x: AtMostOneOf<P, A[S] extends readonly (infer E)[] ? E & keyof P : never>) => void }[keyof A] extends (
        x: infer I,
      ) => void
    ? I
    : never;

/** The params object a method accepts, derived from its param specs, one-of and at-most-one sets. */
export type InferParams<P, O, A = {}> = Simplify<Given<P, RequiredKeys<P, O>> & Optional<P, OptionalKeys<P, O>>> &
  AllSets<P, O> &
  AllAtMostOne<P, A>;

export interface MethodInput<
  N extends string,
  P extends Record<string, ParamSpec>,
  O extends Record<string, readonly (keyof P & string)[]>,
  R,
  A extends Record<string, readonly (keyof P & string)[]> = {},
> {
  /** Wire name. */
  name: N;
  group: string;
  summary?: string;
  params?: P;
  oneOf?: O;
  /** At-most-one sets: no more than one param of each may be given. */
  atMostOne?: A;
  /** Needs a logged-in user. Default `true`. */
  auth?: boolean;
  data?: DataDirection;
  /** Safe to repeat. Default `false`; set it for reads. */
  idempotent?: boolean;
  /** Only works on one persistent connection (fileops). */
  connectionBound?: boolean;
  /** Param whose presence makes the call wait for events (long polling), e.g. `'block'`. */
  longPoll?: string;
  /** The upload is the bare request body (no multipart form, no file name). */
  payloadUpload?: boolean;
  result?: Returns<R>;
}

/** A method definition that is also a standalone function: `getfilelink(client, { fileid })`. */
export type Method<N extends string = string, Params = any, Result = any> = MethodDefinition<N, Params, Result> &
  ({} extends Params
    ? (client: CoreClient, params?: Params, options?: CallOptions) => Promise<Result>
    : (client: CoreClient, params: Params, options?: CallOptions) => Promise<Result>);

/** Describes a method once, as data. */
export function defineMethod<
  const N extends string,
  const P extends Record<string, ParamSpec> = {},
  const O extends Record<string, readonly (keyof P & string)[]> = {},
  R = Record<string, unknown>,
  const A extends Record<string, readonly (keyof P & string)[]> = {},
>(input: MethodInput<N, P, O, R, A>): Method<N, InferParams<P, O, A>, R> {
  const params = (input.params ?? {}) as Record<string, ParamSpec>;
  const oneOf = (input.oneOf ?? {}) as Record<string, readonly string[]>;
  const atMostOne = (input.atMostOne ?? {}) as Record<string, readonly string[]>;
  for (const [kind, sets] of [
    ['one-of', oneOf],
    ['at-most-one', atMostOne],
  ] as const) {
    for (const [set, members] of Object.entries(sets)) {
      for (const m of members) if (!(m in params)) throw new TypeError(`${input.name}: ${kind} set '${set}' names unknown param '${m}'`);
    }
  }
  if (input.longPoll !== undefined && !(input.longPoll in params))
    throw new TypeError(`${input.name}: longPoll names unknown param '${input.longPoll}'`);
  for (const [name, s] of Object.entries(params)) {
    if (s.requires !== undefined && !(s.requires in params))
      throw new TypeError(`${input.name}: '${name}' requires unknown param '${s.requires}'`);
  }
  const setOf = (sets: Record<string, readonly string[]>, name: string) => Object.keys(sets).find((s) => sets[s]!.includes(name));
  const paramList: ParamInfo[] = Object.entries(params).map(([name, s]) => {
    const one = setOf(oneOf, name);
    const most = setOf(atMostOne, name);
    return { name, ...s, ...(one ? { oneOf: one } : {}), ...(most ? { atMostOne: most } : {}) };
  });
  const fn = (client: CoreClient, p?: unknown, options?: CallOptions) =>
    client.request(fn as unknown as AnyMethod, (p ?? {}) as never, options);
  Object.defineProperty(fn, 'name', { value: input.name });
  const definition: Omit<MethodDefinition, 'name'> = {
    group: input.group,
    summary: input.summary,
    params,
    oneOf,
    atMostOne,
    paramList,
    auth: input.auth ?? true,
    data: input.data,
    idempotent: input.idempotent ?? false,
    connectionBound: input.connectionBound,
    longPoll: input.longPoll,
    payloadUpload: input.payloadUpload,
  };
  return Object.freeze(Object.assign(fn, definition)) as unknown as Method<N, InferParams<P, O, A>, R>;
}

declare const listed: unique symbol;

/**
 * A list of method definitions made by {@link methodList}: an ordinary frozen
 * array at run time that also remembers, in its type, the module it came
 * from, so a plugin built from it keeps each method's JSDoc for editors.
 */
export type MethodList<T extends Record<string, AnyMethod> = Record<string, AnyMethod>> = ReadonlyArray<T[keyof T]> & {
  readonly [listed]?: T;
};

/**
 * Lists the methods of a module made only of definitions, each exported under
 * its wire name: `methodList(methods)` after `import * as methods from './methods.js'`.
 * Throws a `TypeError` when an export is not a method or is exported under
 * another name than its wire name. The list is sorted by name (module order is
 * not kept by JavaScript's module namespaces).
 */
export function methodList<const T extends Record<string, AnyMethod>>(methods: T): MethodList<T> {
  const list = Object.keys(methods)
    .sort()
    .map((key) => {
      const m = methods[key];
      if (!isMethod(m)) throw new TypeError(`methodList: export '${key}' is not a method definition`);
      if (m.name !== key) throw new TypeError(`methodList: '${m.name}' is exported as '${key}'; export methods under their wire names`);
      return m;
    });
  return Object.freeze(list) as unknown as MethodList<T>;
}

type ListedRecord<M> = M extends { readonly [listed]?: infer T extends Record<string, AnyMethod> } ? T : never;
type ByWireName<L extends readonly AnyMethod[]> = { [N in L[number]['name']]: Extract<L[number], { readonly name: N }> };

/**
 * The record a plugin's `methods` turn into: a record stays as it is, a list is
 * keyed by each definition's wire name (a {@link methodList} by the module it
 * was made from, which keeps the methods' JSDoc for editors).
 */
export type MethodsOf<M> = M extends readonly AnyMethod[] ? ([ListedRecord<M>] extends [never] ? ByWireName<M> : ListedRecord<M>) : M;

/**
 * Groups methods (and optional helpers) into something `client.use()` accepts.
 * `methods` is either a list of definitions, each added under its wire name
 * (`methods: definitions`), or a record whose keys become the client's
 * member names (`methods: { list: listfolder }`).
 */
export function definePlugin<const M extends readonly AnyMethod[] | Record<string, AnyMethod>, Extra = {}>(plugin: {
  name: string;
  methods: M;
  extend?: (client: CoreClient) => Extra;
}): Plugin<MethodsOf<M>, Extra> {
  const methods: Record<string, AnyMethod> = {};
  if (Array.isArray(plugin.methods)) {
    (plugin.methods as readonly unknown[]).forEach((m, i) => {
      if (!isMethod(m)) throw new TypeError(`plugin ${plugin.name}: item ${i} of methods is not a method definition`);
      if (Object.hasOwn(methods, m.name)) throw new TypeError(`plugin ${plugin.name}: method '${m.name}' is listed twice`);
      methods[m.name] = m;
    });
  } else {
    for (const [key, m] of Object.entries(plugin.methods)) {
      if (!isMethod(m)) throw new TypeError(`plugin ${plugin.name}: '${key}' is not a method definition`);
      methods[key] = m;
    }
  }
  return Object.freeze({ ...plugin, methods: Object.freeze(methods) }) as unknown as Plugin<MethodsOf<M>, Extra>;
}

/** True when `value` is a method definition made by `defineMethod`. */
export function isMethod(value: unknown): value is AnyMethod {
  const m = value as unknown as AnyMethod;
  return (
    typeof value === 'function' &&
    typeof m.params === 'object' &&
    m.params !== null &&
    typeof m.group === 'string' &&
    typeof m.name === 'string'
  );
}
