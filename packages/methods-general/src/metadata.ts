/**
 * Shapes shared by change-log answers: a share, and the events `diff` and
 * `getfilehistory` return. File and folder metadata types live in core.
 */
import type { FileMetadata, FolderMetadata } from '@pcloudkit/core';

export type { FileCategory, FileMetadata, FolderMetadata, Metadata, MetadataBase, MetadataIcon } from '@pcloudkit/core';

/** A share as carried by share events and share listings. Fields depend on the event. */
export interface Share {
  folderid: number;
  fromuserid?: number;
  frommail?: string;
  touserid?: number;
  tomail?: string;
  sharerequestid?: number;
  shareid?: number;
  sharename?: string;
  created?: Date;
  expires?: Date;
  canread?: boolean;
  cancreate?: boolean;
  canmodify?: boolean;
  candelete?: boolean;
  message?: string;
}

/** Account data carried by the `modifyuserinfo` event. */
export interface UserInfoSnapshot {
  userid: number;
  email: string;
  emailverified: boolean;
  premium: boolean;
  premiumexpires?: Date;
  language: string;
  quota: number;
  usedquota: number;
}

/** Share events, seen from the receiving (`*in`) and the sharing (`*out`) side. */
export type ShareEvent =
  | 'requestsharein'
  | 'acceptedsharein'
  | 'declinedsharein'
  | 'cancelledsharein'
  | 'removedsharein'
  | 'modifiedsharein'
  | 'requestshareout'
  | 'acceptedshareout'
  | 'declinedshareout'
  | 'cancelledshareout'
  | 'removedshareout'
  | 'modifiedshareout';

/** Fields every change-log entry has. */
export interface EntryBase {
  /** When the event happened (not a time of the object). */
  time: Date;
  /** Position of the event in the user's history. */
  diffid: number;
}

/** Discard local state and start again from an empty root. */
export interface ResetEntry extends EntryBase {
  event: 'reset';
}
export interface FolderEntry extends EntryBase {
  event: 'createfolder' | 'deletefolder' | 'modifyfolder';
  metadata: FolderMetadata;
}
export interface FileEntry extends EntryBase {
  event: 'createfile' | 'modifyfile' | 'deletefile';
  metadata: FileMetadata;
}
export interface ShareEntry extends EntryBase {
  event: ShareEvent;
  share: Share;
}
export interface UserInfoEntry extends EntryBase {
  event: 'modifyuserinfo';
  userinfo: UserInfoSnapshot;
}

/**
 * One event of the change log. Narrow on `event`. pCloud may add event names
 * at any time: code must skip events it does not know.
 */
export type DiffEntry = ResetEntry | FolderEntry | FileEntry | ShareEntry | UserInfoEntry;

/** All event names listed in {@link DiffEntry}. */
export type DiffEventName = DiffEntry['event'];
