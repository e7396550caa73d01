/**
 * The list of methods the playground offers: every definition of the method
 * packages below, described for the browser with the facts the definitions
 * do not carry (answer fields, documented errors) taken from the catalogue.
 */
import type { AnyMethod, ParamInfo } from '@pcloudkit/core';
import { errorMessages, findMethod, type CatalogOutput } from '@pcloudkit/catalog';
import { definitionsByName, type Source } from '../shared/sources.js';

/** What the browser gets for each method. */
export interface MethodInfo {
  name: string;
  group: string;
  summary?: string;
  params: ParamInfo[];
  oneOf: Record<string, readonly string[]>;
  atMostOne: Record<string, readonly string[]>;
  auth: boolean;
  data?: 'upload' | 'download';
  idempotent: boolean;
  /** Package the method comes from. */
  pkg: string;
  /** Name of the plugin export that adds the method to a client, if any. */
  plugin?: string;
  /** Fields of a successful answer, from the catalogue. */
  output: readonly CatalogOutput[];
  /** Error codes the catalogue documents for the method, with pCloud's message for each. */
  errors: { code: number; message: string }[];
  /** Its calls must travel on the connection that opened the descriptor (fileops): the file handle panel runs them. */
  connectionBound?: boolean;
  /** What the method's links point at, from the catalogue (audio, video, hls, image). */
  media?: 'audio' | 'video' | 'hls' | 'image';
}

export interface Entry {
  definition: AnyMethod;
  info: MethodInfo;
}

function describe(definition: AnyMethod, source: Source): MethodInfo {
  const facts = findMethod(definition.name);
  return {
    name: definition.name,
    group: definition.group,
    summary: definition.summary ?? facts?.summary,
    params: definition.paramList.map((p) => ({ ...p, summary: p.summary ?? facts?.params.find((q) => q.name === p.name)?.summary })),
    oneOf: { ...definition.oneOf },
    atMostOne: { ...definition.atMostOne },
    auth: definition.auth,
    data: definition.data,
    idempotent: definition.idempotent,
    pkg: source.pkg,
    plugin: Object.values(source.plugin.methods).includes(definition) ? source.exportName : undefined,
    output: facts?.output ?? [],
    errors: (facts?.errors ?? []).map((code) => ({ code, message: errorMessages[code] ?? '' })),
    ...(facts?.media ? { media: facts.media } : {}),
    ...(definition.connectionBound ? { connectionBound: true } : {}),
  };
}

/** Builds the method table of the installed method packages. */
export function buildRegistry(): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const [name, { definition, source }] of definitionsByName()) out.set(name, { definition, info: describe(definition, source) });
  return out;
}
