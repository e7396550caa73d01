/**
 * The method packages the playground offers, in the order their groups are
 * listed. Browser-safe: the page bundles them to run HTTP calls itself, the
 * server uses them for the binary transport and the method list.
 */
import type { AnyMethod, Plugin } from '@pcloudkit/core';
import { archiving, definitions as archivingDefinitions } from '@pcloudkit/methods-archiving';
import { account, definitions as accountDefinitions } from '@pcloudkit/methods-auth';
import { collection, definitions as collectionDefinitions } from '@pcloudkit/methods-collection';
import { definitions as fileDefinitions, file } from '@pcloudkit/methods-file';
import { fileops, definitions as fileopsDefinitions } from '@pcloudkit/methods-fileops';
import { definitions as folderDefinitions, folder } from '@pcloudkit/methods-folder';
import { definitions as generalDefinitions, general } from '@pcloudkit/methods-general';
import { definitions as newsletterDefinitions, newsletter } from '@pcloudkit/methods-newsletter';
import { definitions as oauth2Definitions, oauth2 } from '@pcloudkit/methods-oauth2';
import { definitions as publinksDefinitions, publinks } from '@pcloudkit/methods-publinks';
import { definitions as revisionsDefinitions, revisions } from '@pcloudkit/methods-revisions';
import { definitions as sharingDefinitions, sharing } from '@pcloudkit/methods-sharing';
import { definitions as streamingDefinitions, streaming } from '@pcloudkit/methods-streaming';
import { definitions as thumbnailsDefinitions, thumbnails } from '@pcloudkit/methods-thumbnails';
import { definitions as transferDefinitions, transfer } from '@pcloudkit/methods-transfer';
import { definitions as trashDefinitions, trash } from '@pcloudkit/methods-trash';
import { definitions as uploadlinksDefinitions, uploadlinks } from '@pcloudkit/methods-uploadlinks';

export interface Source {
  pkg: string;
  /** Name of the plugin export. */
  exportName: string;
  plugin: Plugin;
  definitions: readonly AnyMethod[];
}

export const SOURCES: readonly Source[] = [
  { pkg: '@pcloudkit/methods-general', exportName: 'general', plugin: general, definitions: generalDefinitions },
  { pkg: '@pcloudkit/methods-folder', exportName: 'folder', plugin: folder, definitions: folderDefinitions },
  { pkg: '@pcloudkit/methods-file', exportName: 'file', plugin: file, definitions: fileDefinitions },
  { pkg: '@pcloudkit/methods-streaming', exportName: 'streaming', plugin: streaming, definitions: streamingDefinitions },
  { pkg: '@pcloudkit/methods-oauth2', exportName: 'oauth2', plugin: oauth2, definitions: oauth2Definitions },
  { pkg: '@pcloudkit/methods-collection', exportName: 'collection', plugin: collection, definitions: collectionDefinitions },
  { pkg: '@pcloudkit/methods-trash', exportName: 'trash', plugin: trash, definitions: trashDefinitions },
  { pkg: '@pcloudkit/methods-revisions', exportName: 'revisions', plugin: revisions, definitions: revisionsDefinitions },
  { pkg: '@pcloudkit/methods-thumbnails', exportName: 'thumbnails', plugin: thumbnails, definitions: thumbnailsDefinitions },
  { pkg: '@pcloudkit/methods-sharing', exportName: 'sharing', plugin: sharing, definitions: sharingDefinitions },
  { pkg: '@pcloudkit/methods-publinks', exportName: 'publinks', plugin: publinks, definitions: publinksDefinitions },
  { pkg: '@pcloudkit/methods-uploadlinks', exportName: 'uploadlinks', plugin: uploadlinks, definitions: uploadlinksDefinitions },
  { pkg: '@pcloudkit/methods-transfer', exportName: 'transfer', plugin: transfer, definitions: transferDefinitions },
  { pkg: '@pcloudkit/methods-archiving', exportName: 'archiving', plugin: archiving, definitions: archivingDefinitions },
  { pkg: '@pcloudkit/methods-auth', exportName: 'account', plugin: account, definitions: accountDefinitions },
  { pkg: '@pcloudkit/methods-fileops', exportName: 'fileops', plugin: fileops, definitions: fileopsDefinitions },
  { pkg: '@pcloudkit/methods-newsletter', exportName: 'newsletter', plugin: newsletter, definitions: newsletterDefinitions },
];

/** Every definition by name (the first package that defines a name wins). */
export function definitionsByName(): Map<string, { definition: AnyMethod; source: Source }> {
  const out = new Map<string, { definition: AnyMethod; source: Source }>();
  for (const source of SOURCES)
    for (const definition of source.definitions) if (!out.has(definition.name)) out.set(definition.name, { definition, source });
  return out;
}
