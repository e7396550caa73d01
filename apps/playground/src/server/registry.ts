/**
 * The list of methods the playground offers, built from whatever method
 * packages are installed. Every package exports a `definitions` array (made
 * with core's `defineMethod`) and a plugin (made with `definePlugin`); both
 * are read generically, so a new package only needs one more line in
 * `SOURCES`.
 */
import { isMethod, type AnyMethod, type ParamInfo, type Plugin } from '@pcloudkit/core';
import * as general from '@pcloudkit/methods-general';
import * as streaming from '@pcloudkit/methods-streaming';
import * as folder from '@pcloudkit/methods-folder';
import * as file from '@pcloudkit/methods-file';
import * as oauth2 from '@pcloudkit/methods-oauth2';

/** Method packages, in the order their groups are listed. */
export const SOURCES: ReadonlyArray<{ pkg: string; mod: Record<string, unknown> }> = [
  { pkg: '@pcloudkit/methods-general', mod: general },
  { pkg: '@pcloudkit/methods-folder', mod: folder },
  { pkg: '@pcloudkit/methods-file', mod: file },
  { pkg: '@pcloudkit/methods-streaming', mod: streaming },
  { pkg: '@pcloudkit/methods-oauth2', mod: oauth2 },
];

/** What the browser gets for each method. */
export interface MethodInfo {
  name: string;
  group: string;
  summary?: string;
  params: ParamInfo[];
  oneOf: Record<string, readonly string[]>;
  auth: boolean;
  data?: 'upload' | 'download';
  idempotent: boolean;
  /** Package the method comes from. */
  pkg: string;
  /** Name of the plugin export that adds the method to a client, if any. */
  plugin?: string;
}

export interface Entry {
  definition: AnyMethod;
  info: MethodInfo;
}

function isPlugin(value: unknown): value is Plugin {
  const p = value as Plugin | null;
  return typeof p === 'object' && p !== null && typeof p.name === 'string' && typeof p.methods === 'object' && p.methods !== null;
}

/** Builds the method table from the given sources (the installed packages by default). */
export function buildRegistry(sources = SOURCES): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const { pkg, mod } of sources) {
    const list = Array.isArray(mod.definitions) ? (mod.definitions as unknown[]) : [];
    const plugins = Object.entries(mod).filter((e): e is [string, Plugin] => isPlugin(e[1]));
    for (const definition of list) {
      if (!isMethod(definition) || out.has(definition.name)) continue;
      const plugin = plugins.find(([, p]) => Object.values(p.methods).includes(definition))?.[0];
      out.set(definition.name, {
        definition,
        info: {
          name: definition.name,
          group: definition.group,
          summary: definition.summary,
          params: definition.paramList.map((p) => ({ ...p })),
          oneOf: { ...definition.oneOf },
          auth: definition.auth,
          data: definition.data,
          idempotent: definition.idempotent,
          pkg,
          plugin,
        },
      });
    }
  }
  return out;
}
