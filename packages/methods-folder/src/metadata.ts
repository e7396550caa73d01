/**
 * File and folder metadata types, defined once in core and re-exported here
 * for convenience: narrow a `Metadata` with `isfolder`.
 */
export type { FileCategory, FileMetadata, FolderMetadata, Metadata, MetadataBase, MetadataIcon } from '@pcloudkit/core';
