/**
 * Deliberate deviations: places where the emulator knowingly answers
 * differently from what the catalogue says, because pCloud's behaviour
 * cannot be reproduced or is not documented. `check` is the exact key the
 * checker prints (`<case>: <aspect>`). The emulator README lists these
 * entries; a test keeps the two in step. Keep this list short.
 */
export interface DeliberateDeviation {
  method: string;
  /** The checker's key, or `not compared` for a pCloud feature the checker cannot observe (listed for users all the same). */
  check: string;
  reason: string;
}

/** The `check` of entries the checker never sees: they are never reported as stale. */
export const NOT_COMPARED = 'not compared';

export const deviations: readonly DeliberateDeviation[] = [
  {
    method: 'oauth2_token',
    check: 'missing code: result',
    reason:
      "pCloud documents no error codes for oauth2_token; the emulator answers 1022 (Please provide 'code'.), pCloud's code for a missing code elsewhere",
  },
  {
    method: 'oauth2_token',
    check: 'unknown code: result',
    reason:
      "pCloud documents no error codes for oauth2_token; the emulator answers 2012 (Invalid 'code' provided.) for an unknown, used or expired code",
  },
  {
    method: 'showuploadlink',
    check: 'missing code: result',
    reason:
      "pCloud documents no code for a missing link code on showuploadlink; the emulator answers 1022 (Please provide 'code'.), pCloud's code for a missing code elsewhere",
  },
  {
    method: 'showuploadlink',
    check: 'unknown code: result',
    reason:
      "pCloud documents no code for an unknown link code on showuploadlink; the emulator answers 7001 (Invalid link 'code'.), pCloud's code for an unknown link code elsewhere",
  },
  {
    method: 'uploadtolink',
    check: 'missing code: result',
    reason:
      "pCloud documents no code for a missing link code on uploadtolink; the emulator answers 1022 (Please provide 'code'.), pCloud's code for a missing code elsewhere",
  },
  {
    method: 'uploadtolink',
    check: 'unknown code: result',
    reason:
      "pCloud documents no code for an unknown link code on uploadtolink; the emulator answers 7001 (Invalid link 'code'.), pCloud's code for an unknown link code elsewhere",
  },
  {
    method: 'copytolink',
    check: 'missing code: result',
    reason:
      "pCloud documents no code for a missing link code on copytolink; the emulator answers 1022 (Please provide 'code'.), pCloud's code for a missing code elsewhere",
  },
  {
    method: 'copytolink',
    check: 'unknown code: result',
    reason:
      "pCloud documents no code for an unknown link code on copytolink; the emulator answers 7001 (Invalid link 'code'.), pCloud's code for an unknown link code elsewhere",
  },
  {
    method: 'getvideolink',
    check: NOT_COMPARED,
    reason:
      'no video transcoding: video links (getvideolink, getvideolinks) serve the stored file whatever vbitrate, abitrate and resolution say',
  },
  {
    method: 'gethlslink',
    check: NOT_COMPARED,
    reason: 'no real HLS: the playlist has one segment, the stored file, not transcoded segments',
  },
  {
    method: 'getaudiolink',
    check: NOT_COMPARED,
    reason:
      'only WAV (PCM, up to 64 MiB) is transcoded to MP3 at abitrate; MP3 is served as stored, other formats (FLAC, Ogg, AAC, video soundtracks) as stored with their own type, and a larger WAV answers 501',
  },
  {
    method: 'showpublink',
    check: NOT_COMPARED,
    reason:
      'pCloud documents no code for a public link opened without (or with a wrong) linkpassword; the emulator answers 7009, the code pCloud uses for a password-protected archive, on every method that takes a link code and on the link page',
  },
];
