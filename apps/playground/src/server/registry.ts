/**
 * The list of methods the playground offers: every definition of the method
 * packages below, described for the browser with the facts the definitions
 * do not carry (answer fields, documented errors) taken from the catalogue.
 */
import type { AnyMethod, ParamInfo, Plugin } from '@pcloudkit/core';
import { errorMessages, findMethod, type CatalogOutput } from '@pcloudkit/catalog';
import { archiving, definitions as archivingDefinitions } from '@pcloudkit/methods-archiving';
import { collection, definitions as collectionDefinitions } from '@pcloudkit/methods-collection';
import { definitions as fileDefinitions, file } from '@pcloudkit/methods-file';
import { definitions as folderDefinitions, folder } from '@pcloudkit/methods-folder';
import { definitions as generalDefinitions, general } from '@pcloudkit/methods-general';
import { definitions as oauth2Definitions, oauth2 } from '@pcloudkit/methods-oauth2';
import { definitions as revisionsDefinitions, revisions } from '@pcloudkit/methods-revisions';
import { definitions as streamingDefinitions, streaming } from '@pcloudkit/methods-streaming';
import { definitions as thumbnailsDefinitions, thumbnails } from '@pcloudkit/methods-thumbnails';
import { definitions as trashDefinitions, trash } from '@pcloudkit/methods-trash';

interface Source {
  pkg: string;
  /** Name of the plugin export. */
  exportName: string;
  plugin: Plugin;
  definitions: readonly AnyMethod[];
}

/** Method packages, in the order their groups are listed. */
const SOURCES: readonly Source[] = [
  { pkg: '@pcloudkit/methods-general', exportName: 'general', plugin: general, definitions: generalDefinitions },
  { pkg: '@pcloudkit/methods-folder', exportName: 'folder', plugin: folder, definitions: folderDefinitions },
  { pkg: '@pcloudkit/methods-file', exportName: 'file', plugin: file, definitions: fileDefinitions },
  { pkg: '@pcloudkit/methods-streaming', exportName: 'streaming', plugin: streaming, definitions: streamingDefinitions },
  { pkg: '@pcloudkit/methods-oauth2', exportName: 'oauth2', plugin: oauth2, definitions: oauth2Definitions },
  { pkg: '@pcloudkit/methods-collection', exportName: 'collection', plugin: collection, definitions: collectionDefinitions },
  { pkg: '@pcloudkit/methods-trash', exportName: 'trash', plugin: trash, definitions: trashDefinitions },
  { pkg: '@pcloudkit/methods-revisions', exportName: 'revisions', plugin: revisions, definitions: revisionsDefinitions },
  { pkg: '@pcloudkit/methods-thumbnails', exportName: 'thumbnails', plugin: thumbnails, definitions: thumbnailsDefinitions },
  { pkg: '@pcloudkit/methods-archiving', exportName: 'archiving', plugin: archiving, definitions: archivingDefinitions },
];

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
  };
}

/** Builds the method table of the installed method packages. */
export function buildRegistry(): Map<string, Entry> {
  const out = new Map<string, Entry>();
  for (const source of SOURCES) {
    for (const definition of source.definitions) {
      if (!out.has(definition.name)) out.set(definition.name, { definition, info: describe(definition, source) });
    }
  }
  return out;
}
