/**
 * The transfer methods and their result types. Its only run-time exports
 * are the method definitions, each under its wire name: the package's
 * `definitions` list and plugin are built from them, and each method's JSDoc
 * (params included) is what editors show on `client.<method>`.
 *
 * A transfer sends files to up to 20 e-mail addresses without an account:
 * each recipient gets a mail with download links. Neither method needs a
 * login.
 */
import { defineMethod, param, returns } from '@pcloudkit/core';

const GROUP = 'transfer';

/** A file a transfer has received, as `uploadtransferprogress` lists it. */
export interface TransferredFile {
  name?: string;
  size?: number;
  [field: string]: unknown;
}

/** Progress of an `uploadtransfer` request tagged with a `progresshash`. */
export interface TransferProgress {
  /** Bytes of the whole request (protocol overhead included). */
  total: number;
  /** Bytes received so far, on the same basis. */
  uploaded: number;
  /** Name of the file being received; absent once finished. */
  currentfile?: string;
  /** Bytes of the current file received so far; absent once finished. */
  currentfileuploaded?: number;
  /** 1-based position of the current file in the request. */
  filenumber?: number;
  finished: boolean;
  /** Files already received (their exact fields are not documented). */
  files?: TransferredFile[];
}

/**
 * Sends files to up to 20 recipients on behalf of `sendermail`: pass the
 * files as `options.files` (`client.request(uploadtransfer, params, {
 * files })`), or use the plugin's `transfers.send()` helper. Refusals: 1074
 * bad sender, 1075 bad recipients, 2099 more than 20, 2088 no file, 2097
 * over the size limit, 2098/2100 sender or recipients refused.
 */
export const uploadtransfer = /* @__PURE__ */ defineMethod({
  name: 'uploadtransfer',
  group: GROUP,
  params: {
    /** E-mail address of the sender. */
    sendermail: /* @__PURE__ */ param.string({ required: true }),
    /** Recipient addresses, at most 20. */
    receivermails: /* @__PURE__ */ param.stringList({ required: true }),
    /** A short note for the recipients, at most 160 characters. */
    message: /* @__PURE__ */ param.string(),
    /** Key of your choice to follow the transfer with uploadtransferprogress. */
    progresshash: /* @__PURE__ */ param.string(),
  },
  auth: false,
  data: 'upload',
  result: /* @__PURE__ */ returns<Record<string, never>>(),
});

/**
 * Progress of an uploadtransfer request tagged with `progresshash`. 1900
 * right after the start may only mean the upload has not reached the server
 * yet.
 */
export const uploadtransferprogress = /* @__PURE__ */ defineMethod({
  name: 'uploadtransferprogress',
  group: GROUP,
  params: {
    /** The key given to uploadtransfer. */
    progresshash: /* @__PURE__ */ param.string({ required: true }),
  },
  auth: false,
  idempotent: true,
  result: /* @__PURE__ */ returns<TransferProgress>(),
});
