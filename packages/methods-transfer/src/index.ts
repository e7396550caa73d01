/**
 * pCloud transfer methods: send files to e-mail recipients without an
 * account (`uploadtransfer`) and follow the upload
 * (`uploadtransferprogress`).
 *
 * Each method is a definition made with core's `defineMethod`. Use them as
 * standalone functions or add the {@link transfer} plugin to a client
 * (`client.use(transfer)`), which also adds `client.transfers.send(files,
 * options)`.
 */
import {
  type CoreClient,
  definePlugin,
  methodList,
  type MethodList,
  type Progress,
  type UploadFile,
  ValidationError,
} from '@pcloudkit/core';
// The same module by its public path, for the types (see tsup.config.ts).
import type * as Methods from '@pcloudkit/methods-transfer/methods';
import * as methods from './methods.js';

// The definitions live in methods.ts, one export per method under its wire name.
export * from './methods.js';

/** Every transfer method, sorted by name. */
export const definitions: MethodList<typeof Methods> = /* @__PURE__ */ methodList(methods);

/** Recipients one transfer may have. */
export const MAX_RECEIVERS = 20;

/** Characters of the message pCloud keeps. */
export const MAX_MESSAGE = 160;

/** Options of {@link TransferHelpers.send}. */
export interface SendTransferOptions {
  /** E-mail address of the sender. */
  sendermail: string;
  /** Recipient addresses (1 to 20). */
  receivermails: readonly string[];
  /** A short note for the recipients (at most 160 characters). */
  message?: string;
  /** Key of your choice to follow the upload with `uploadtransferprogress`. */
  progresshash?: string;
  /** Called as bytes go out. */
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** Milliseconds before the request fails; large transfers may need more than the client default. */
  timeout?: number;
}

/** The helpers the {@link transfer} plugin adds as `client.transfers`. */
export interface TransferHelpers {
  /**
   * Sends one file or several to the recipients in one transfer, with no
   * login needed. Each file is `{ name, data }` with bytes, a Blob, a
   * stream, an async iterable of chunks or (in Node) `{ path }`. The binary
   * protocol carries one file per request, so several files need an HTTP
   * transport (one transfer, one mail per recipient).
   */
  send(files: UploadFile | readonly UploadFile[], options: SendTransferOptions): Promise<{ files: number; receivers: number }>;
}

function makeSend(client: CoreClient): TransferHelpers['send'] {
  return async (files, options) => {
    const list: UploadFile[] = Array.isArray(files) ? [...files] : [files as UploadFile];
    const fail = (param: string, why: string) => new ValidationError('uploadtransfer', param, why);
    if (list.length === 0) throw fail('files', 'give at least one file to send');
    if (list.length > 1 && client.transport.hostKind === 'binapi') {
      throw fail('files', 'the binary protocol carries one file per request: send one file, or use an HTTP transport for several');
    }
    const receivers = [...(options?.receivermails ?? [])];
    if (receivers.length === 0) throw fail('receivermails', 'give at least one recipient');
    if (receivers.length > MAX_RECEIVERS) throw fail('receivermails', `at most ${MAX_RECEIVERS} recipients`);
    if (options.message !== undefined && options.message.length > MAX_MESSAGE) {
      throw fail('message', `the message may have at most ${MAX_MESSAGE} characters`);
    }
    await client.request(
      methods.uploadtransfer,
      {
        sendermail: options.sendermail,
        receivermails: receivers,
        ...(options.message !== undefined ? { message: options.message } : {}),
        ...(options.progresshash !== undefined ? { progresshash: options.progresshash } : {}),
      },
      {
        files: list,
        ...(options.onProgress ? { onUploadProgress: options.onProgress } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      },
    );
    return { files: list.length, receivers: receivers.length };
  };
}

/**
 * Adds the transfer methods, plus `client.transfers.send(files, options)`,
 * to a client: `createClient(...).use(transfer)`.
 */
export const transfer = /* @__PURE__ */ definePlugin({
  name: 'transfer',
  methods: definitions,
  extend: (client: CoreClient): { transfers: TransferHelpers } => ({ transfers: { send: makeSend(client) } }),
});
