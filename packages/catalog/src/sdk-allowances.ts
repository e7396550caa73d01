/**
 * Where pcloudkit's own method definitions (packages/methods-*) deliberately
 * differ from the catalogue in which params they declare. The test that
 * checks every SDK definition against the catalogue accepts exactly these
 * differences and fails on any other, and on entries here that no longer
 * match a real difference. Each entry says why.
 */
export interface SdkAllowance {
  /** Params the SDK declares that the catalogue does not list: param -> reason. */
  extra?: Readonly<Record<string, string>>;
  /** Catalogue params the SDK leaves out on purpose: param -> reason. */
  absent?: Readonly<Record<string, string>>;
  /** Params whose required state the SDK sets differently on purpose: param -> reason. */
  required?: Readonly<Record<string, string>>;
  /** The package exports the definition but keeps it out of its plugin: why. */
  outsidePlugin?: string;
}

/** The methods that open a public link by its code. */
const PUBLINK_READERS = [
  'showpublink',
  'getpublinkdownload',
  'copypubfile',
  'getpubthumb',
  'getpubthumblink',
  'getpubthumbslinks',
  'savepubthumb',
  'getpubzip',
  'getpubziplink',
  'savepubzip',
  'getpubvideolinks',
  'getpubaudiolink',
  'getpubtextfile',
];

/** Method name -> allowed differences. */
export const sdkAllowances: Readonly<Record<string, SdkAllowance>> = {
  // A link made with `linkpassword` is opened by sending the password with each call that names its
  // code; the catalogue lists the param only on the methods that create links.
  ...Object.fromEntries(
    PUBLINK_READERS.map((name) => [name, { extra: { linkpassword: 'the password of a protected public link, sent by visitors' } }]),
  ),
  uploadfile: {
    required: {
      // The server needs a name for every file, but callers never pass it: a
      // multipart upload names each part, and for PUT and binary uploads the
      // transports fill `filename` from the file they send.
      filename: 'the transports supply the file name, so the SDK param is optional',
    },
  },
  uploadtolink: {
    // pCloud's upload page asks the uploader for a name and a note; the link's owner sees them with the files.
    extra: {
      names: "the uploader's name, kept with each file for the link's owner",
      comment: "the uploader's note, kept with each file for the link's owner",
    },
  },
  logout: {
    // A plugin member named `logout` would clash with core's `client.logout()`,
    // which calls this method and also forgets the client's credentials.
    outsidePlugin: "every client already has core's logout(), which calls it",
  },
};
